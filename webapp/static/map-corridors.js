/* Corridor Atlas: a large map's corridors, each view drawn in one pass, and only once.
 *
 * A corridor (BandedLine) keeps its line's vertices at zoom 0 for each band of zooms: the
 * feed's coarser lines at low zooms (webapp/map/pagedata.py FEED_BANDS), the whole line
 * beyond. The renderer (CorridorCanvas: Leaflet's canvas renderer in all but its drawing)
 * draws a view's corridors straight from them: each corridor's box is scaled and checked
 * against the canvas, then its vertices scaled and rounded as Leaflet rounds them, a vertex
 * within SMOOTHING px of the last one kept skipped, the pen lifted over a segment that lies
 * wholly beyond one edge and a segment crossing an edge cut there. Leaflet's renderer keeps
 * every path projected, clipped and simplified into an object per vertex at every move: at
 * 1,000 corridors that took 8-15 ms of a low zoom, against 2-3 ms so (bench 5). A corridor's
 * own pixels are worked out only when the pointer is over its box, for Leaflet's
 * hit-testing (hover, tooltip, click).
 *
 * What a canvas without a GPU spends most of a move on is rasterizing the lines, so a pixel
 * once drawn is not drawn again: after a pan the drawing is moved along and only the strips
 * it uncovers are drawn; what the map shows is drawn at once and the canvas's margin beyond
 * it (seen only once the map is dragged) while the page is idle; and then the views one zoom
 * in and out are drawn ahead and the view's drawing kept for a return to its zoom (at most
 * MAX_KEPT). This needs every piece of a line drawn the same in any region: which vertices
 * are skipped does not depend on the region, a cut end is not rounded, and a dashed line's
 * pieces are stroked each with its dashes' phase at its start.
 */
(function (CA) {
  "use strict";

  // Below this zoom corridors are drawn 1 px wide: hundreds of them share a view there, and a
  // canvas without a GPU strokes 1,000 corridors 3 px wide in 160-190 ms, 1 px wide in about
  // 20 ms (bench 5: a pan or zoom of the large map).
  const THIN_BELOW_ZOOM = 7;
  const THIN_WEIGHT = 1;
  const SMOOTHING = 1.5; // px: as Leaflet's smoothFactor, the least step between vertices drawn
  const LONG_IDLE_MS = 40; // the idle time (of at most 50 ms) in which a view is drawn ahead
  const MAX_KEPT = 4; // drawings of other views kept, by zoom (each 4 bytes a pixel)

  /* What a corridor's drawing depends on: the projection and the renderer's bounds. */
  function viewOf(renderer) {
    const { min, max } = renderer._bounds;
    return `${CA.projection(renderer._map)} ${min.x} ${min.y} ${max.x} ${max.y}`;
  }

  /* Which sides of ``box`` (a region of the canvas and a margin) ``x, y`` lies beyond, as
   * bits: Leaflet's own codes (L.LineUtil), without a Point made per vertex. */
  function outside(x, y, { min, max }) {
    return (x < min.x ? 1 : x > max.x ? 2 : 0) | (y < min.y ? 4 : y > max.y ? 8 : 0);
  }

  /* Start a piece of line at ``x, y``, ``along`` px from the line's first vertex. A dashed
   * line's pieces are stroked one by one, each with its dashes' phase there, so that its
   * dashes fall at the same places whichever region of the canvas is drawn. */
  function startPiece(pen, x, y, along) {
    const context = pen.context;
    if (pen.dashed) {
      if (pen.open) {
        context.stroke();
      }
      context.beginPath();
      context.lineDashOffset = along;
      pen.open = true;
    }
    context.moveTo(x, y);
  }

  /* Trace one part (x, y pairs at zoom 0) with ``pen`` ({context, dashed, open}) for ``view``
   * ({scale, dx, dy, ...}: a zoom-0 x lies at round(x * scale) - dx on the canvas) within
   * ``box``. Which vertices are drawn does not depend on the box: one within SMOOTHING px of
   * the last one kept is skipped from the line's start. A segment crossing the box's edge is
   * cut at it: a long line stroked beyond the canvas, dashes and all, costs as if it were
   * seen. */
  function trace(pen, xy, view, box) {
    const { scale, dx, dy } = view;
    const context = pen.context;
    const last = xy.length - 2;
    let x0 = Math.round(xy[0] * scale) - dx;
    let y0 = Math.round(xy[1] * scale) - dy;
    let side0 = outside(x0, y0, box);
    let along = 0; // px from the first vertex to x0, y0 along the vertices kept
    let drawing = false; // the pen is down at x0, y0
    for (let i = 2; i <= last; i += 2) {
      const x = Math.round(xy[i] * scale) - dx;
      const y = Math.round(xy[i + 1] * scale) - dy;
      const step = Math.sqrt((x - x0) ** 2 + (y - y0) ** 2);
      if (step < SMOOTHING && i !== last) {
        continue; // too close to the last vertex kept: the next segment starts from it
      }
      const side = outside(x, y, box);
      if (side0 & side) {
        drawing = false; // the segment lies wholly beyond one side
      } else if (side0 | side) {
        // Cut ends not rounded: the piece lies exactly on the segment whichever box cut it,
        // so a region drawn beside a kept drawing meets it without a step.
        const piece = L.LineUtil.clipSegment(L.point(x0, y0), L.point(x, y), box, false, false);
        if (piece) {
          const [from, to] = piece;
          if (!drawing) {
            const into = Math.sqrt((from.x - x0) ** 2 + (from.y - y0) ** 2);
            startPiece(pen, from.x, from.y, along + into);
          }
          context.lineTo(to.x, to.y);
        }
        drawing = Boolean(piece) && !side;
      } else {
        if (!drawing) {
          startPiece(pen, x0, y0, along);
          drawing = true;
        }
        context.lineTo(x, y);
        pen.length += step;
      }
      along += step;
      x0 = x;
      y0 = y;
      side0 = side;
    }
  }

  function isWhole(rects, size) {
    return rects.length === 1 && rects[0][2] === size.x && rects[0][3] === size.y;
  }

  function sameView(a, b) {
    return a.zoom === b.zoom && a.dx === b.dx && a.dy === b.dy && a.size.equals(b.size);
  }

  /* The rectangles of the canvas to draw for ``view`` given the drawing of ``drawn`` (a view,
   * or none) moved into place: all of it, or, when ``drawn`` is of the same zoom and size and
   * still covers part of it, what it leaves uncovered and what of it was not drawn yet. */
  function uncoveredBy(drawn, view) {
    const whole = [[0, 0, view.size.x, view.size.y]];
    if (
      !drawn ||
      drawn.zoom !== view.zoom ||
      drawn.ratio !== view.ratio ||
      !Number.isInteger(view.ratio) ||
      !drawn.size.equals(view.size)
    ) {
      return whole;
    }
    const shift = L.point(drawn.dx - view.dx, drawn.dy - view.dy);
    if (Math.abs(shift.x) >= view.size.x || Math.abs(shift.y) >= view.size.y) {
      return whole;
    }
    const canvas = whole[0];
    const pending = drawn.pending.map(([x, y, w, h]) => [x + shift.x, y + shift.y, w, h]);
    const left = pending.map((rect) => overlap(rect, canvas)).filter(Boolean);
    return [...uncovered(shift, view.size), ...left];
  }

  /* The overlap of rectangles ``a`` and ``b`` ([x, y, width, height]), or null. */
  function overlap([ax, ay, aw, ah], [bx, by, bw, bh]) {
    const [x, y] = [Math.max(ax, bx), Math.max(ay, by)];
    const [w, h] = [Math.min(ax + aw, bx + bw) - x, Math.min(ay + ah, by + bh) - y];
    return w > 0 && h > 0 ? [x, y, w, h] : null;
  }

  /* The parts of rectangle ``a`` outside rectangle ``b``, as at most four rectangles. */
  function without(a, b) {
    const inner = overlap(a, b);
    if (!inner) {
      return [a];
    }
    const [ax, ay, aw, ah] = a;
    const [x, y, w, h] = inner;
    return [
      [ax, ay, aw, y - ay], // above
      [ax, y + h, aw, ay + ah - y - h], // below
      [ax, y, x - ax, h], // left
      [x + w, y, ax + aw - x - w, h], // right
    ].filter(([, , width, height]) => width > 0 && height > 0);
  }

  /* The parts of the canvas (``size``, CSS px) that a drawing moved by ``shift`` px leaves
   * uncovered, as [x, y, width, height] rectangles that do not overlap. */
  function uncovered(shift, size) {
    const rects = [];
    if (shift.x > 0) {
      rects.push([0, 0, shift.x, size.y]);
    } else if (shift.x < 0) {
      rects.push([size.x + shift.x, 0, -shift.x, size.y]);
    }
    const left = Math.max(shift.x, 0);
    const width = size.x - Math.abs(shift.x);
    if (shift.y > 0) {
      rects.push([left, 0, width, shift.y]);
    } else if (shift.y < 0) {
      rects.push([left, size.y + shift.y, width, -shift.y]);
    }
    return rects;
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

    /* Whether this corridor reaches into ``view`` (CorridorCanvas._draw); its weight and band
     * are set for the view's zoom. */
    shows(view) {
      this.options.weight = this.weightAt(view.zoom);
      this.band = this.bandOf(view.zoom);
      return this.reaches(view, [0, 0, view.size.x, view.size.y]);
    },

    /* Whether the line, as wide as drawn, reaches into ``rect`` ([x, y, width, height]) of
     * ``view``'s canvas. */
    reaches(view, [x, y, width, height]) {
      const margin = this.options.weight + 1; // a wide line's edge reaches into the view
      const [west, north, east, south] = this.scaledBox(view.scale, view.dx, view.dy);
      return !(
        east < x - margin ||
        west > x + width + margin ||
        south < y - margin ||
        north > y + height + margin
      );
    },

    /* Stroke this corridor (after ``shows``) on ``context`` for ``view`` within ``rect``; the
     * area of line stroked (px², the segments cut by the rectangle's edge not counted). */
    paint(context, view, [x, y, width, height]) {
      const options = this.options;
      const margin = options.weight + 1;
      const box = L.bounds([x - margin, y - margin], [x + width + margin, y + height + margin]);
      const dashes = options._dashArray || [];
      const pen = { context, dashed: dashes.length > 0, open: false, length: 0 };
      context.setLineDash(dashes);
      context.lineDashOffset = 0;
      context.globalAlpha = options.opacity;
      context.lineWidth = options.weight;
      context.strokeStyle = options.color;
      context.lineCap = options.lineCap;
      context.lineJoin = options.lineJoin;
      context.beginPath();
      for (const xy of this.keptAtZoom0(this._map, this.band)) {
        trace(pen, xy, view, box);
      }
      if (!pen.dashed || pen.open) {
        context.stroke();
      }
      return pen.length * options.weight;
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
    options: {
      // Px² of line in a view (length by width) from which a pan moves the canvas's drawing
      // rather than draw it anew: moving it costs 3-5 ms (_copyOf and the two regions'
      // passes), which a view with little line draws in less. Near zoom 6 the 1,000
      // corridors of bench 5 have 300,000, near 8 about 200,000, near 13 about 11,000 (moved
      // in 3-5 ms, drawn whole in 7-8).
      inkWorthMoving: 10000,
    },

    initialize(options) {
      L.Canvas.prototype.initialize.call(this, options);
      this.kept = null; // the view whose drawing the canvas holds
      this.others = new Map(); // by zoom, a drawing kept of another view: {view, image}
      this.preparing = 0; // which move the work while the page is idle prepares for
      this.copy = null; // the context of a second canvas, for moving this one's drawing
      this.rects = []; // the rectangles of the canvas the last move drew at once
      this.seen = null; // the rectangle of the canvas the map shows
    },

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
      this._draw();
    },

    _reset() {
      this._update();
      this._updateTransform(this._center, this._zoom);
    },

    _updatePaths() {
      this._redraw();
    },

    /* A corridor was added, removed or restyled: the view is drawn anew, and no drawing of
     * another view is kept. */
    _redraw() {
      this._redrawRequest = null;
      this._redrawBounds = null;
      this.kept = null;
      for (const other of this.others.values()) {
        other.image.close();
      }
      this.others.clear();
      this._draw();
    },

    /* The view of the canvas at ``zoom`` with its corner at ``corner`` (world pixels). */
    _viewAt(zoom, corner, size) {
      const ratio = window.devicePixelRatio || 1;
      const scale = this._map.getZoomScale(zoom, 0);
      return { zoom, scale, dx: corner.x, dy: corner.y, size, ratio };
    },

    /* The view's corridors drawn. A drawing of the same zoom, the canvas's own after a pan
     * or one kept of another view, is moved into place and only the part of the canvas it
     * leaves uncovered is drawn: the pixels that a canvas without a GPU rasterizes at the end
     * of a move are most of a pan's or zoom's time (bench 5: 30-40 ms of 55-70 at 7.75). */
    _draw() {
      const map = this._map;
      if (!map || !this._bounds) {
        return;
      }
      const corner = map.getPixelOrigin().add(this._bounds.min);
      const view = this._viewAt(map.getZoom(), corner, this._bounds.getSize());
      const kept = this.kept;
      let source = this.others.get(view.zoom);
      if (kept && kept.zoom === view.zoom) {
        const worth = kept.ink >= this.options.inkWorthMoving;
        source = worth ? { view: kept, image: this._container } : null;
      }
      // The corridors of the view, and the rectangles of the canvas drawn for it: those in
      // the map's view now, those in the canvas's margin (seen only once the map is dragged)
      // while the page is idle (_complete).
      const seen = map.containerPointToLayerPoint([0, 0]).subtract(this._bounds.min).round();
      const shown = map.getSize();
      const within = [seen.x, seen.y, shown.x, shown.y];
      [this.drawn, this.rects] = this._paint(this._ctx, view, source, within);
      this.seen = within;
      this.kept = view;
      this._prepareWhenIdle();
    },

    /* Draw ``view`` on ``context`` from ``source`` ({view, image}: a drawing to move into
     * place) where it helps, only within ``within`` if given (a rectangle of the canvas: the
     * rest is left in ``view.pending``); the corridors that reach into the view, and the
     * rectangles of the canvas drawn. ``view.ink`` is the area of line in the view (px²):
     * as drawn anew, or the moved drawing's. */
    _paint(context, view, source, within) {
      const { size, ratio } = view;
      const todo = uncoveredBy(source && source.view, view);
      const rects = within ? todo.map((rect) => overlap(rect, within)).filter(Boolean) : todo;
      view.pending = within ? todo.flatMap((rect) => without(rect, within)) : [];
      context.setTransform(1, 0, 0, 1, 0, 0);
      if (isWhole(todo, size)) {
        context.clearRect(0, 0, context.canvas.width, context.canvas.height);
      } else {
        // Copied over what was there, the rest of the canvas cleared.
        const x = (source.view.dx - view.dx) * ratio;
        const y = (source.view.dy - view.dy) * ratio;
        const image = source.image === context.canvas ? this._copyOf(source.image) : source.image;
        context.globalCompositeOperation = "copy";
        context.drawImage(image, x, y);
        context.globalCompositeOperation = "source-over";
      }
      const [drawn, ink] = this._paintRects(context, view, rects);
      view.ink = isWhole(todo, size) ? ink : source.view.ink;
      return [drawn, rects];
    },

    /* Draw the corridors of ``view`` within each of ``rects`` (cleared first, so that a
     * rectangle overlapping another is not drawn twice over); the corridors that reach into
     * the view, and the area of line drawn (px²). */
    _paintRects(context, view, rects) {
      context.setTransform(view.ratio, 0, 0, view.ratio, 0, 0);
      const drawn = [];
      let ink = 0;
      for (let order = this._drawFirst; order; order = order.next) {
        if (order.layer.shows(view)) {
          drawn.push(order.layer);
        }
      }
      for (const rect of rects) {
        context.clearRect(...rect);
        context.save();
        context.beginPath();
        context.rect(...rect);
        context.clip();
        for (const layer of drawn) {
          if (layer.reaches(view, rect)) {
            ink += layer.paint(context, view, rect);
          }
        }
        context.restore();
      }
      context.globalAlpha = 1;
      return [drawn, ink];
    },

    /* The canvas's margin beyond the map's view drawn, where the last move left it. */
    _complete() {
      const view = this.kept;
      if (view && view.pending.length) {
        this._paintRects(this._ctx, view, view.pending);
        view.pending = [];
      }
    },

    /* A copy of ``canvas`` on a second canvas, kept for the next. A canvas drawn onto itself
     * is copied first by the browser in a way that took 5 ms at 1,680 x 1,022 px here,
     * against 0.5 ms for two copies through another canvas. */
    _copyOf(canvas) {
      const copy = this.copy && this.copy.canvas;
      if (!copy || copy.width !== canvas.width || copy.height !== canvas.height) {
        this.copy = new OffscreenCanvas(canvas.width, canvas.height).getContext("2d");
        this.copy.globalCompositeOperation = "copy";
      }
      this.copy.drawImage(canvas, 0, 0);
      return this.copy.canvas;
    },

    /* While the page is idle after a move: the canvas's margin drawn, the view's drawing
     * kept for a return to its zoom, and the views one zoom in and out about the same centre
     * drawn ahead (where the map's zoom buttons and keys lead), one a turn, each 20-50 ms of
     * raster here. */
    _prepareWhenIdle() {
      this.preparing += 1;
      const move = this.preparing;
      const map = this._map;
      const centre = map.getCenter();
      const zoom = map.getZoom();
      const steps = [
        () => this._complete(),
        () => this._copyOf(this._container), // made now, not at the next pan
        () => this._keep(this.kept, this._container),
        ...[zoom + 1, zoom - 1]
          .filter((z) => z >= map.getMinZoom() && z <= map.getMaxZoom())
          .map((z) => () => this._drawAhead(centre, z)),
      ];
      const next = (deadline) => {
        if (move !== this.preparing || !this._map || !steps.length) {
          return;
        }
        // Only in a long idle time: one between two frames would be made late.
        if (!deadline || deadline.timeRemaining() >= LONG_IDLE_MS) {
          steps.shift()();
        }
        CA.whenIdle(next);
      };
      CA.whenIdle(next);
    },

    /* Keep a copy of ``image``, the drawing of ``view``, for its zoom (at most MAX_KEPT). */
    _keep(view, image) {
      if (!Number.isInteger(view.ratio)) {
        return; // a drawing moved by a fraction of a pixel would blur
      }
      const copy = new OffscreenCanvas(image.width, image.height);
      copy.getContext("2d").drawImage(image, 0, 0);
      this._remember(view, copy.transferToImageBitmap());
    },

    _remember(view, image) {
      const old = this.others.get(view.zoom);
      if (old) {
        old.image.close();
        this.others.delete(view.zoom);
      }
      this.others.set(view.zoom, { view, image });
      for (const [zoom, other] of this.others) {
        if (this.others.size <= MAX_KEPT) {
          break;
        }
        other.image.close(); // the oldest first
        this.others.delete(zoom);
      }
    },

    /* Draw the view the map would show at ``zoom`` about ``centre`` (as a zoom button does),
     * unless a drawing kept of that zoom covers it. */
    _drawAhead(centre, zoom) {
      const map = this._map;
      const size = this._bounds.getSize();
      const margin = map.getSize().multiplyBy(-this.options.padding).round(); // as _update
      const corner = map._getNewPixelOrigin(centre, zoom).add(margin);
      const view = this._viewAt(zoom, corner, size);
      const other = this.others.get(zoom);
      if ((other && sameView(other.view, view)) || !Number.isInteger(view.ratio)) {
        return;
      }
      const canvas = new OffscreenCanvas(size.x * view.ratio, size.y * view.ratio);
      this._paint(canvas.getContext("2d"), view, other);
      for (let order = this._drawFirst; order; order = order.next) {
        order.layer.shows(this.kept); // each corridor's weight and band for the map's view
      }
      this._remember(view, canvas.transferToImageBitmap());
    },
  });

  CA.BandedLine = BandedLine;
  CA.CorridorCanvas = CorridorCanvas;
})(window.CorridorAtlas = window.CorridorAtlas || {});
