/**
 * The shape of the tree, in one place: which paths exist and what each is.
 *
 *   /                         directory
 *   /rootcell                 read-write file: the workstation cell
 *   /stats                    read-only file: counters
 *   /cells/                   directory: the active cells
 *   /cells/@cell              symlink to the root cell's name
 *   /cells/<name>/            directory of one cell
 *   /cells/<name>/vlservers   read-only file: its VL servers
 *
 * Classifying a path never touches the database: whether a cell exists is
 * the caller's question.
 */
export type FsNode =
  | { readonly kind: 'root' }
  | { readonly kind: 'rootcell' }
  | { readonly kind: 'stats' }
  | { readonly kind: 'cells' }
  | { readonly kind: 'cell-link' }
  | { readonly kind: 'cell'; readonly name: string }
  | { readonly kind: 'vlservers'; readonly name: string };

export const ROOT_ENTRIES = ['cells', 'rootcell', 'stats'] as const;
export const CELL_ENTRIES = ['vlservers'] as const;
export const CELL_LINK = '@cell';

/** What `path` names, or null when no such path can exist. */
export function classifyPath(path: string): FsNode | null {
  if (path === '/') return { kind: 'root' };
  const parts = path.split('/').slice(1);
  const [top, name, leaf, ...rest] = parts;
  if (rest.length > 0 || top === undefined) return null;
  if (name === undefined) {
    if (top === 'rootcell') return { kind: 'rootcell' };
    if (top === 'stats') return { kind: 'stats' };
    if (top === 'cells') return { kind: 'cells' };
    return null;
  }
  if (top !== 'cells' || name === '') return null;
  if (name === CELL_LINK) return leaf === undefined ? { kind: 'cell-link' } : null;
  if (leaf === undefined) return { kind: 'cell', name };
  if (leaf === 'vlservers') return { kind: 'vlservers', name };
  return null;
}
