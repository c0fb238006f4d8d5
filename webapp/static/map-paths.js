/* Corridor Atlas: paths projected once per view.
 *
 * A zoom made without animation (setZoom, setView, the reader's keys) makes Leaflet's SVG
 * renderer pass over every path three times: zoomend projects them, moveend clips and
 * simplifies them, and viewreset projects and updates them all again. ``CA.SteadySVG`` (the
 * base layer's renderer) skips what the reset would repeat; the helpers keep a ring's vertices
 * at zoom 0, so a zoom scales them instead of projecting each one anew (the base layer's
 * paths, and a large map's corridors: map-corridors.js).
 */
(function (CA) {
  "use strict";

  /* A ring's vertices at zoom 0, as x, y pairs. */
  function atZoom0(map, latlngs) {
    const xy = new Float64Array(latlngs.length * 2);
    latlngs.forEach((latlng, i) => {
      const point = map.project(latlng, 0);
      xy[2 * i] = point.x;
      xy[2 * i + 1] = point.y;
    });
    return xy;
  }

  /* The layer points of a ring kept at zoom 0 (``atZoom0``): the pixels Leaflet's own
   * map.latLngToLayerPoint gives, rounded alike, from one multiplication per coordinate. */
  function scaledRing(map, xy) {
    const scale = map.getZoomScale(map.getZoom(), 0);
    const origin = map.getPixelOrigin();
    const ring = new Array(xy.length / 2);
    for (let i = 0; i < ring.length; i += 1) {
      ring[i] = L.point(
        Math.round(xy[2 * i] * scale) - origin.x,
        Math.round(xy[2 * i + 1] * scale) - origin.y,
      );
    }
    return ring;
  }

  /* Leaflet projects every vertex of a path anew at each zoom (map.latLngToLayerPoint per
   * vertex); a path given this projection keeps its rings at zoom 0 and scales them. The
   * base layer's 20,000 vertices took about 16 ms of each zoom so (bench 5). */
  const kept = new WeakMap(); // a ring's LatLngs -> its atZoom0 pairs
  function projectFromZoom0(latlngs, result, projectedBounds) {
    if (!(latlngs[0] instanceof L.LatLng)) {
      latlngs.forEach((inner) => projectFromZoom0.call(this, inner, result, projectedBounds));
      return;
    }
    let xy = kept.get(latlngs);
    if (!xy) {
      xy = atZoom0(this._map, latlngs);
      kept.set(latlngs, xy);
    }
    const ring = scaledRing(this._map, xy);
    ring.forEach((point) => projectedBounds.extend(point));
    result.push(ring);
  }

  /* What a projection depends on: the zoom and the pixel origin. */
  function projection(map) {
    const origin = map.getPixelOrigin();
    return `${map.getZoom()} ${origin.x} ${origin.y}`;
  }

  /* Size ``canvas`` to ``size`` (CSS px) in whole device pixels, only when that changes: a
   * resize allocates the canvas anew and resets its context, where clearing it is enough for
   * a move. Whether it was resized. */
  function fitCanvas(canvas, size) {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.round(size.x * ratio);
    const height = Math.round(size.y * ratio);
    if (canvas.width === width && canvas.height === height) {
      return false;
    }
    canvas.width = width;
    canvas.height = height;
    canvas.style.width = `${size.x}px`;
    canvas.style.height = `${size.y}px`;
    return true;
  }

  /* Leaflet's SVG renderer, whose reset keeps what zoomend and moveend have just done for the
   * same view (the paths' transform set). A reset for a view not projected yet (a jump at the
   * same zoom, the first view) is Leaflet's own. ``projectedFor``: the view every path was
   * last projected for. */
  const SteadySVG = L.SVG.extend({
    _onZoomEnd() {
      L.SVG.prototype._onZoomEnd.call(this);
      this.projectedFor = projection(this._map);
    },

    _reset() {
      if (this.projectedFor !== projection(this._map)) {
        L.SVG.prototype._reset.call(this); // projects every path for this view
        this.projectedFor = projection(this._map);
        return;
      }
      this._updateTransform(this._center, this._zoom);
    },
  });

  CA.atZoom0 = atZoom0;
  CA.scaledRing = scaledRing;
  CA.projectFromZoom0 = projectFromZoom0;
  CA.projection = projection;
  CA.fitCanvas = fitCanvas;
  CA.SteadySVG = SteadySVG;
})(window.CorridorAtlas = window.CorridorAtlas || {});
