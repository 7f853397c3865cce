// SCAFFOLD: replaced by the settings pages; must not remain.
import { Page } from '../../ui/page.tsx';

export function Scaffold() {
  return <Page title="settings">{null}</Page>;
}
