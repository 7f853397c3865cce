// SCAFFOLD: replaced by the deployments pages; must not remain.
import { Page } from '../../ui/page.tsx';

export function Scaffold() {
  return <Page title="deployments">{null}</Page>;
}
