import cytoscape, { type Core, type EdgeSingular, type NodeSingular } from 'cytoscape';
import type { ExplanationGraph, GraphEdge, GraphNode } from './explanation-graph.js';

/** Labels are drawn at this size; the layout follows the container so that they stay near it on screen. */
const LABEL_PX = 14;
const PADDING = 16;
/** A node, its label below it and some air. */
const ROW_GAP = 44;
const MIN_COLUMN_GAP = 72;
const MAX_COLUMN_GAP = 230;
const MIN_HEIGHT = 320;
/** Fitting a small graph never blows it up beyond this. */
const MAX_FIT_ZOOM = 1.25;

/** Light to dark, per layer (blue for the user's items, purple for co-users, as their nodes). */
const LAYER_2 = { weak: '#a9c4e4', strong: '#0b3d91' };
const LAYER_1 = { weak: '#cdbfe6', strong: '#45217f' };

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'font-size': LABEL_PX,
      'font-family': 'system-ui, sans-serif',
      color: '#1b1b1b',
      'text-valign': 'bottom',
      'text-margin-y': 4,
      'text-wrap': 'ellipsis',
      'text-max-width': 'data(labelWidth)',
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
      width: 'mapData(strength, 0, 1, 1.5, 12)',
      'line-color': `mapData(strength, 0, 1, ${LAYER_2.weak}, ${LAYER_2.strong})`,
      'target-arrow-shape': 'triangle',
      'target-arrow-color': `mapData(strength, 0, 1, ${LAYER_2.weak}, ${LAYER_2.strong})`,
      'arrow-scale': 0.8,
      opacity: 0.95,
    },
  },
  {
    selector: 'edge[kind = "layer-1"]',
    style: {
      'line-color': `mapData(strength, 0, 1, ${LAYER_1.weak}, ${LAYER_1.strong})`,
      'target-arrow-color': `mapData(strength, 0, 1, ${LAYER_1.weak}, ${LAYER_1.strong})`,
    },
  },
  { selector: 'edge[kind = "score"]', style: { width: 4, 'line-color': '#b3261e', 'target-arrow-color': '#b3261e', 'line-style': 'dashed' } },
  { selector: 'edge.highlighted', style: { 'line-color': '#e8710a', 'target-arrow-color': '#e8710a', opacity: 1, 'z-index': 10 } },
];

interface Layout {
  readonly positions: Map<string, cytoscape.Position>;
  readonly columnGap: number;
  /** The container height that holds the tallest column at `ROW_GAP`. */
  readonly height: number;
}

/** Columns left to right, each centred vertically, as wide apart as the container allows. */
function layout(nodes: readonly GraphNode[], width: number): Layout {
  const columns = new Map<number, GraphNode[]>();
  for (const node of nodes) columns.set(node.column, [...(columns.get(node.column) ?? []), node]);
  const tallest = Math.max(...[...columns.values()].map((c) => c.length));
  // Three gaps between four columns, and some label beyond each outer one.
  const columnGap = Math.min(MAX_COLUMN_GAP, Math.max(MIN_COLUMN_GAP, (width - 2 * PADDING) / 3.5));
  const positions = new Map<string, cytoscape.Position>();
  for (const [column, members] of columns) {
    const top = ((tallest - members.length) * ROW_GAP) / 2;
    members.forEach((node, row) => positions.set(node.id, { x: column * columnGap, y: top + row * ROW_GAP }));
  }
  return { positions, columnGap, height: Math.max(MIN_HEIGHT, tallest * ROW_GAP + 2 * PADDING + 24) };
}

/** Draws explanation graphs with cytoscape.js into one container, with hover tooltips on edges. */
export class GraphView {
  private readonly cy: Core;
  private edgesById = new Map<string, GraphEdge>();
  private graph: ExplanationGraph = { nodes: [], edges: [] };

  constructor(
    private readonly container: HTMLElement,
    private readonly tooltip: HTMLElement,
  ) {
    this.cy = cytoscape({
      container,
      style: STYLE,
      layout: { name: 'preset' },
      minZoom: 0.2,
      maxZoom: 3,
      boxSelectionEnabled: false,
      autoungrabify: true,
    });
    // `tap` too: a phone has no hover.
    this.cy.on('mouseover tap', 'edge', (event) => this.showTooltip(event.target as EdgeSingular, event.renderedPosition));
    this.cy.on('mouseover tap', 'node', (event) => {
      const node = event.target as NodeSingular;
      this.place(node.data('label') as string, event.renderedPosition);
    });
    this.cy.on('mouseout', 'edge, node', () => (this.tooltip.hidden = true));
    container.addEventListener('mouseleave', () => (this.tooltip.hidden = true));
    let width = container.clientWidth;
    new ResizeObserver(() => {
      // Only a new width changes the layout; the height follows from it.
      if (container.clientWidth === width) return;
      width = container.clientWidth;
      this.draw();
    }).observe(container);
  }

  show(graph: ExplanationGraph): void {
    this.tooltip.hidden = true;
    this.graph = graph;
    this.edgesById = new Map(graph.edges.map((e) => [e.id, e]));
    this.draw();
  }

  /** Emphasises one edge, e.g. while its table row has focus; null clears. */
  highlight(edgeId: string | null): void {
    this.cy.edges().removeClass('highlighted');
    if (edgeId) this.cy.getElementById(edgeId).addClass('highlighted');
  }

  /** For tests and debugging: node ids, each edge's on-screen midpoint and width, and the labels' on-screen size. */
  describe() {
    return {
      nodes: this.cy.nodes().map((n) => n.id()),
      edges: this.cy.edges().map((e) => ({ id: e.id(), midpoint: e.renderedMidpoint(), width: parseFloat(e.renderedStyle('width')) })),
      labelPixels: LABEL_PX * this.cy.zoom(),
    };
  }

  private draw(): void {
    const { positions, columnGap, height } = layout(this.graph.nodes, this.container.clientWidth);
    this.container.style.height = `${height}px`;
    this.cy.elements().remove();
    this.cy.add([
      ...this.graph.nodes.map((n) => ({ group: 'nodes' as const, data: { ...n, labelWidth: `${columnGap - 6}px` }, position: positions.get(n.id)! })),
      ...this.graph.edges.map((e) => ({ group: 'edges' as const, data: { ...e } })),
    ]);
    this.cy.resize();
    this.cy.fit(undefined, PADDING);
    if (this.cy.zoom() > MAX_FIT_ZOOM) {
      this.cy.zoom(MAX_FIT_ZOOM);
      this.cy.center();
    }
  }

  private showTooltip(edge: EdgeSingular, at: cytoscape.Position): void {
    const data = this.edgesById.get(edge.id());
    if (data) this.place(data.description, at);
  }

  private place(text: string, at: cytoscape.Position): void {
    this.tooltip.textContent = text;
    this.tooltip.style.left = `${at.x + 12}px`;
    this.tooltip.style.top = `${at.y + 12}px`;
    this.tooltip.hidden = false;
  }
}
