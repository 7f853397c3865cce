// SCAFFOLD: replaced by the installs pages; must not remain.
import { Page } from '../../ui/page.tsx';

export function Scaffold() {
  return <Page title="installs">{null}</Page>;
}
