/* Corridor Atlas: a large map's corridors, each view drawn in one pass.
 *
 * A corridor (BandedLine) keeps its line's vertices at zoom 0 for each band of zooms: the
 * feed's coarser lines at low zooms (webapp/map/pagedata.py FEED_BANDS), the whole line
 * beyond. The renderer (CorridorCanvas: Leaflet's canvas renderer in all but its drawing)
 * draws a view's corridors straight from them: each corridor's box is scaled and checked
 * against the canvas, then its vertices scaled and rounded as Leaflet rounds them, a vertex
 * within SMOOTHING px of the last one drawn skipped, the pen lifted over a segment that lies
 * wholly beyond one edge and a segment crossing an edge cut there. Leaflet's renderer keeps
 * every path projected, clipped and simplified into an object per vertex at every move: at
 * 1,000 corridors that took 8-15 ms of a low zoom, against 2-3 ms so (bench 5). A corridor's
 * own pixels are worked out only when the pointer is over its box, for Leaflet's
 * hit-testing (hover, tooltip, click).
 */
(function (CA) {
  "use strict";

  // Below this zoom corridors are drawn 1 px wide: hundreds of them share a view there, and a
  // canvas without a GPU strokes 1,000 corridors 3 px wide in 160-190 ms, 1 px wide in about
  // 20 ms (bench 5: a pan or zoom of the large map).
  const THIN_BELOW_ZOOM = 7;
  const THIN_WEIGHT = 1;
  const SMOOTHING = 1.5; // px: as Leaflet's smoothFactor, the least step between vertices drawn

  /* What a corridor's drawing depends on: the projection and the renderer's bounds. */
  function viewOf(renderer) {
    const { min, max } = renderer._bounds;
    return `${CA.projection(renderer._map)} ${min.x} ${min.y} ${max.x} ${max.y}`;
  }

  /* Which sides of ``box`` (the canvas and a margin) ``x, y`` lies beyond, as bits: Leaflet's
   * own codes (L.LineUtil), without a Point made per vertex. */
  function outside(x, y, { min, max }) {
    return (x < min.x ? 1 : x > max.x ? 2 : 0) | (y < min.y ? 4 : y > max.y ? 8 : 0);
  }

  /* Trace one part (x, y pairs at zoom 0) on ``context`` for ``view`` ({scale, dx, dy, box,
   * ...}: a zoom-0 x lies at round(x * scale) - dx on the canvas). A segment crossing the
   * canvas's edge is cut at it: a long line stroked beyond the canvas, dashes and all, costs
   * as if it were seen. */
  function trace(context, xy, view) {
    const { scale, dx, dy } = view;
    const last = xy.length - 2;
    let x0 = Math.round(xy[0] * scale) - dx;
    let y0 = Math.round(xy[1] * scale) - dy;
    let side0 = outside(x0, y0, view.box);
    let drawing = false; // the pen is down at x0, y0
    for (let i = 2; i <= last; i += 2) {
      const x = Math.round(xy[i] * scale) - dx;
      const y = Math.round(xy[i + 1] * scale) - dy;
      const side = outside(x, y, view.box);
      if (side0 & side) {
        drawing = false; // the segment lies wholly beyond one side
      } else if (side0 | side) {
        const cut = L.LineUtil.clipSegment(L.point(x0, y0), L.point(x, y), view.box, false, true);
        if (cut) {
          if (!drawing) {
            context.moveTo(cut[0].x, cut[0].y);
          }
          context.lineTo(cut[1].x, cut[1].y);
        }
        drawing = Boolean(cut) && !side;
      } else if (!drawing || i === last || (x - x0) ** 2 + (y - y0) ** 2 >= SMOOTHING ** 2) {
        if (!drawing) {
          context.moveTo(x0, y0);
          drawing = true;
        }
        context.lineTo(x, y);
      } else {
        continue; // too close to the last vertex drawn: the next segment starts from it
      }
      x0 = x;
      y0 = y;
      side0 = side;
    }
  }

  /* A corridor: ``parts``, its line ([lat, lon] lists); ``vertices``, for each band of
   * ``limits`` (the bands' highest zooms), the indices of the vertices it keeps per part.
   * Its LatLngs stay the whole line, so getBounds, getCenter and fitting the view are exact. */
  const BandedLine = L.Polyline.extend({
    options: { weight: 3, opacity: 0.85, smoothFactor: SMOOTHING },

    initialize(parts, vertices, limits, options) {
      L.Polyline.prototype.initialize.call(this, parts, options);
      this.weight = this.options.weight; // as styled; drawn thinner at low zooms (weightAt)
      this.parts = parts;
      this.vertices = vertices;
      this.limits = limits;
      this.atZoom0 = []; // per band, each part's x, y pairs at zoom 0 (made when first drawn)
      this.band = -1;
      this.box0 = null; // the line's box at zoom 0: [north-west, south-east]
      this.boxFor = null; // the view _pxBounds were worked out for (hit-testing)
      this.partsFor = null; // and _parts
    },

    /* The normal weight is drawn 1 px wide below THIN_BELOW_ZOOM; a focused corridor's is not. */
    weightAt(zoom) {
      return zoom < THIN_BELOW_ZOOM && this.weight === BandedLine.prototype.options.weight
        ? THIN_WEIGHT
        : this.weight;
    },

    setStyle(style) {
      if (style.weight !== undefined) {
        this.weight = style.weight;
      }
      this.boxFor = null; // the weight widens what the pointer hits
      this.partsFor = null;
      const weight = this._map ? this.weightAt(this._map.getZoom()) : this.weight;
      return L.Polyline.prototype.setStyle.call(this, { ...style, weight });
    },

    bandOf(zoom) {
      const band = this.limits.findIndex((limit) => zoom <= limit);
      return band < 0 ? this.limits.length : band;
    },

    boxAtZoom0(map) {
      if (!this.box0) {
        const bounds = this.getBounds();
        this.box0 = [map.project(bounds.getNorthWest(), 0), map.project(bounds.getSouthEast(), 0)];
      }
      return this.box0;
    },

    /* Each part's vertices in ``band`` at zoom 0 (kept once made). */
    keptAtZoom0(map, band) {
      if (!this.atZoom0[band]) {
        const parts = band < this.limits.length
          ? this.vertices[band].map((kept, p) => kept.map((k) => this.parts[p][k]))
          : this.parts;
        this.atZoom0[band] = parts.map((part) => CA.atZoom0(map, part));
      }
      return this.atZoom0[band];
    },

    /* The box at zoom 0 scaled by ``scale`` and moved by ``dx, dy``, in whole px:
     * [west, north, east, south]. */
    scaledBox(scale, dx, dy) {
      const [min, max] = this.boxAtZoom0(this._map);
      return [
        Math.round(min.x * scale) - dx,
        Math.round(min.y * scale) - dy,
        Math.round(max.x * scale) - dx,
        Math.round(max.y * scale) - dy,
      ];
    },

    /* Make every band's vertices at zoom 0 ahead of the zooms that draw them. */
    keepAllAtZoom0(map) {
      for (let band = 0; band <= this.limits.length; band += 1) {
        this.keptAtZoom0(map, band);
      }
    },

    /* Stroke this corridor on ``context`` for ``view`` (CorridorCanvas._draw), unless its box
     * lies beyond the canvas; whether it was. */
    paint(context, view) {
      const map = this._map;
      const options = this.options;
      options.weight = this.weightAt(view.zoom);
      this.band = this.bandOf(view.zoom);
      const margin = options.weight + 1; // a wide line's edge reaches into the view
      if (view.box.min.x !== -margin) {
        view.box = L.bounds([-margin, -margin], view.size.add([margin, margin]));
      }
      const [west, north, east, south] = this.scaledBox(view.scale, view.dx, view.dy);
      const { min, max } = view.box;
      if (east < min.x || west > max.x || south < min.y || north > max.y) {
        return false;
      }
      context.beginPath();
      for (const xy of this.keptAtZoom0(map, this.band)) {
        trace(context, xy, view);
      }
      context.setLineDash(options._dashArray || []);
      context.globalAlpha = options.opacity;
      context.lineWidth = options.weight;
      context.strokeStyle = options.color;
      context.lineCap = options.lineCap;
      context.lineJoin = options.lineJoin;
      context.stroke();
      return true;
    },

    /* The pixel box at this zoom (Leaflet's _pxBounds, for hit-testing): from the box at
     * zoom 0, never from every vertex. */
    _project() {
      const map = this._map;
      const bounds = this.getBounds();
      if (!bounds.isValid()) {
        this._rings = [];
        return; // no vertex: nothing to draw (as Leaflet's own _project)
      }
      const zoom = map.getZoom();
      const origin = map.getPixelOrigin();
      const scale = map.getZoomScale(zoom, 0);
      const [west, north, east, south] = this.scaledBox(scale, origin.x, origin.y);
      this._rawPxBounds = L.bounds([west, north], [east, south]);
      this.options.weight = this.weightAt(zoom);
      this._updateBounds();
      this.band = this.bandOf(zoom);
      this._rings = null;
    },

    /* The renderer draws every corridor of a view at once (CorridorCanvas._draw). */
    _update() {},

    /* Whether ``point`` (a layer point) is on the line: its box and pixels are worked out
     * for the view drawn when first asked, and its pixels only for a point in its box. */
    _containsPoint(point, closed) {
      const view = this._renderer.drawnFor;
      if (this.boxFor !== view) {
        this._project();
        this.boxFor = view;
      }
      if (!this._pxBounds || !this._pxBounds.contains(point)) {
        return false;
      }
      if (this.partsFor !== view) {
        const map = this._map;
        this._rings = this.keptAtZoom0(map, this.band).map((xy) => CA.scaledRing(map, xy));
        this._clipPoints();
        this._simplifyPoints();
        this.partsFor = view;
      }
      return L.Polyline.prototype._containsPoint.call(this, point, closed);
    },
  });

  /* Leaflet's canvas renderer (events, order, hit-testing and zoom animation) drawing each
   * view's corridors in one pass, once per view (see the top of this file). */
  const CorridorCanvas = L.Canvas.extend({
    onAdd() {
      L.Renderer.prototype.onAdd.call(this); // not L.Canvas's, which draws a second time
    },

    /* Leaflet projects every path at zoomend: here a corridor is projected as it is drawn. */
    _onZoomEnd() {},

    /* The view's bounds, and its corridors drawn: at the move's end, or at the reset after a
     * zoom, whichever comes first (the other finds the view drawn). */
    _update() {
      if (this._map._animatingZoom && this._bounds) {
        return;
      }
      L.Renderer.prototype._update.call(this);
      const view = viewOf(this);
      if (view === this.drawnFor) {
        return;
      }
      this.drawnFor = view;
      L.DomUtil.setPosition(this._container, this._bounds.min);
      CA.fitCanvas(this._container, this._bounds.getSize());
      this._redraw();
    },

    _reset() {
      this._update();
      this._updateTransform(this._center, this._zoom);
    },

    _updatePaths() {
      this._redraw();
    },

    _redraw() {
      this._redrawRequest = null;
      this._redrawBounds = null;
      this._draw();
    },

    _draw() {
      const map = this._map;
      if (!map || !this._bounds) {
        return;
      }
      const context = this._ctx;
      const ratio = window.devicePixelRatio || 1;
      const size = this._bounds.getSize();
      context.setTransform(1, 0, 0, 1, 0, 0);
      context.clearRect(0, 0, this._container.width, this._container.height);
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      const zoom = map.getZoom();
      const origin = map.getPixelOrigin();
      const view = {
        zoom,
        scale: map.getZoomScale(zoom, 0),
        dx: origin.x + this._bounds.min.x,
        dy: origin.y + this._bounds.min.y,
        size,
        box: L.bounds([0, 0], size), // the canvas and a margin (paint widens it per line)
      };
      const drawn = [];
      for (let order = this._drawFirst; order; order = order.next) {
        const layer = order.layer;
        if (layer.paint(context, view)) {
          drawn.push(layer);
        }
      }
      context.globalAlpha = 1;
      this.drawn = drawn; // the corridors of the last view drawn
    },
  });

  CA.BandedLine = BandedLine;
  CA.CorridorCanvas = CorridorCanvas;
})(window.CorridorAtlas = window.CorridorAtlas || {});
