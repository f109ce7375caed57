import { SEARCH_ATTRIBUTES } from '../../workflows/shared';

/** `--search-attribute Name=Keyword` flags for `temporal server start-dev`. */
export function searchAttributeFlags(): string[] {
  return Object.keys(SEARCH_ATTRIBUTES).flatMap((name) => ['--search-attribute', `${name}=Keyword`]);
}
