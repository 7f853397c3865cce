// SCAFFOLD: replaced by the agents pages; must not remain.
import { Page } from '../../ui/page.tsx';

export function Scaffold() {
  return <Page title="agents">{null}</Page>;
}
