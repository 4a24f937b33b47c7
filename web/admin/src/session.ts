/**
 * The key or token the panel signed in with: kept in this tab's sessionStorage only, so it is gone
 * when the tab closes; the panel's own requests send it as `Authorization: Bearer`.
 */
const STORAGE_KEY = 'recograph.panel.token';

export const storedToken = (): string | null => sessionStorage.getItem(STORAGE_KEY);

export function storeToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(STORAGE_KEY);
  else sessionStorage.setItem(STORAGE_KEY, token);
}
