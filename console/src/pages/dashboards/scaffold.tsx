// SCAFFOLD: replaced by the dashboards pages; must not remain.
import { Page } from '../../ui/page.tsx';

export function Scaffold() {
  return <Page title="dashboards">{null}</Page>;
}
