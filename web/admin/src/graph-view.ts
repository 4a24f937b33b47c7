import cytoscape, { type Core, type EdgeSingular, type NodeSingular } from 'cytoscape';
import { formatWeight, type ExplanationGraph, type GraphEdge, type GraphNode } from './explanation-graph.js';

const COLUMN_GAP = 230;
const ROW_GAP = 40;

/** Light to dark blue: every step stays readable against the white background. */
const WEAK = '#8fb3d9';
const STRONG = '#0b3d91';

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'font-size': 14,
      'font-family': 'system-ui, sans-serif',
      color: '#1b1b1b',
      'text-valign': 'bottom',
      'text-margin-y': 4,
      'text-wrap': 'ellipsis',
      'text-max-width': '150px',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.85,
      'text-background-padding': '2px',
      width: 18,
      height: 18,
      'background-color': '#5f6b7a',
      'border-width': 2,
      'border-color': '#ffffff',
    },
  },
  { selector: 'node[role = "recommended"]', style: { shape: 'star', width: 34, height: 34, 'background-color': '#b3261e' } },
  { selector: 'node[role = "user"]', style: { shape: 'round-rectangle', width: 30, height: 30, 'background-color': '#1b1b1b' } },
  { selector: 'node[role = "item"]', style: { shape: 'ellipse', 'background-color': '#0b57d0' } },
  { selector: 'node[role = "co-user"]', style: { shape: 'round-rectangle', width: 14, height: 14, 'background-color': '#6b4fa0' } },
  {
    selector: 'edge',
    style: {
      'curve-style': 'bezier',
      width: 'mapData(strength, 0, 1, 1, 10)',
      'line-color': `mapData(strength, 0, 1, ${WEAK}, ${STRONG})`,
      'target-arrow-shape': 'triangle',
      'target-arrow-color': `mapData(strength, 0, 1, ${WEAK}, ${STRONG})`,
      'arrow-scale': 0.8,
      opacity: 0.9,
    },
  },
  { selector: 'edge[kind = "score"]', style: { width: 4, 'line-color': '#b3261e', 'target-arrow-color': '#b3261e', 'line-style': 'dashed' } },
  { selector: 'edge.highlighted', style: { 'line-color': '#e8710a', 'target-arrow-color': '#e8710a', opacity: 1, 'z-index': 10 } },
];

/** Columns left to right, each centred vertically. */
function positions(nodes: readonly GraphNode[]): Map<string, cytoscape.Position> {
  const columns = new Map<number, GraphNode[]>();
  for (const node of nodes) columns.set(node.column, [...(columns.get(node.column) ?? []), node]);
  const tallest = Math.max(...[...columns.values()].map((c) => c.length));
  const result = new Map<string, cytoscape.Position>();
  for (const [column, members] of columns) {
    const top = ((tallest - members.length) * ROW_GAP) / 2;
    members.forEach((node, row) => result.set(node.id, { x: column * COLUMN_GAP, y: top + row * ROW_GAP }));
  }
  return result;
}

export function edgeDescription(edge: GraphEdge): string {
  if (edge.kind === 'score') return `Score ${formatWeight(edge.weight)}`;
  const layer = edge.kind === 'layer-2' ? 'Layer 2 (user ← item)' : 'Layer 1 path (item ← co-user)';
  const heads = edge.headWeights.map((w, h) => `head ${h + 1}: ${formatWeight(w)}`).join(', ');
  return `${layer} attention ${formatWeight(edge.weight)} (${heads}); share of score ${formatWeight(edge.share)}`;
}

/** Draws explanation graphs with cytoscape.js into one container, with hover tooltips on edges. */
export class GraphView {
  private readonly cy: Core;
  private edgesById = new Map<string, GraphEdge>();

  constructor(container: HTMLElement, private readonly tooltip: HTMLElement) {
    this.cy = cytoscape({
      container,
      style: STYLE,
      layout: { name: 'preset' },
      minZoom: 0.2,
      maxZoom: 3,
      boxSelectionEnabled: false,
      autoungrabify: true,
    });
    this.cy.on('mouseover', 'edge', (event) => this.showTooltip(event.target as EdgeSingular, event.renderedPosition));
    this.cy.on('mouseover', 'node', (event) => {
      const node = event.target as NodeSingular;
      this.place(node.data('label') as string, event.renderedPosition);
    });
    this.cy.on('mouseout', 'edge, node', () => (this.tooltip.hidden = true));
    container.addEventListener('mouseleave', () => (this.tooltip.hidden = true));
    new ResizeObserver(() => this.fit()).observe(container);
  }

  show(graph: ExplanationGraph): void {
    this.tooltip.hidden = true;
    this.edgesById = new Map(graph.edges.map((e) => [e.id, e]));
    const at = positions(graph.nodes);
    this.cy.elements().remove();
    this.cy.add([
      ...graph.nodes.map((n) => ({ group: 'nodes' as const, data: { ...n }, position: at.get(n.id)! })),
      ...graph.edges.map((e) => ({ group: 'edges' as const, data: { ...e } })),
    ]);
    this.fit();
  }

  /** Emphasises one edge, e.g. while its table row has focus; null clears. */
  highlight(edgeId: string | null): void {
    this.cy.edges().removeClass('highlighted');
    if (edgeId) this.cy.getElementById(edgeId).addClass('highlighted');
  }

  /** For tests and debugging: node ids and each edge's on-screen midpoint. */
  describe() {
    return {
      nodes: this.cy.nodes().map((n) => n.id()),
      edges: this.cy.edges().map((e) => ({ id: e.id(), midpoint: e.renderedMidpoint() })),
    };
  }

  private fit(): void {
    this.cy.resize();
    this.cy.fit(undefined, 36);
  }

  private showTooltip(edge: EdgeSingular, at: cytoscape.Position): void {
    const data = this.edgesById.get(edge.id());
    if (data) this.place(edgeDescription(data), at);
  }

  private place(text: string, at: cytoscape.Position): void {
    this.tooltip.textContent = text;
    this.tooltip.style.left = `${at.x + 12}px`;
    this.tooltip.style.top = `${at.y + 12}px`;
    this.tooltip.hidden = false;
  }
}
