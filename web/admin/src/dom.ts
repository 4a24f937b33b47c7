/** A tiny element builder: the panel has few enough nodes that no framework is needed. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | null | undefined> = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

/** A number with a bar of its relative size; the bar is decoration, the number is the content. */
export function weightCell(value: number, strength: number, text: string): HTMLTableCellElement {
  const bar = h('span', { class: 'bar', 'aria-hidden': 'true' });
  bar.style.width = `${Math.round(Math.max(0, Math.min(1, strength)) * 100)}%`;
  return h('td', { class: 'num weight', 'data-weight': value }, h('span', { class: 'bar-track', 'aria-hidden': 'true' }, bar), text);
}
