// SCAFFOLD: replaced by the snippets pages; must not remain.
import { Page } from '../../ui/page.tsx';

export function Scaffold() {
  return <Page title="snippets">{null}</Page>;
}
