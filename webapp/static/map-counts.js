/* Corridor Atlas: how many of a large map's sites lie in a box, for "Features in view (n)".
 *
 * The sites are sorted into a grid over their extent, with running totals of the cells, so a
 * box adds up the cells it covers whole at once and tests one by one only the sites of the
 * cells its edges cross. At 100,000 sites a zoomed-out view took 5-20 ms to count through the
 * cluster index (a range query listing every site in view), once after every move.
 *
 * For example, new CorridorAtlas.SiteGrid([60, 70], [40, 45], [0, 1]).count([59, 39, 65, 44])
 * is 1: site 0 (60° E, 40° N) is in the box, site 1 (70° E, 45° N) is not.
 */
(function (CA) {
  "use strict";

  //: Cells along each side: 65,536 cells of running totals take 260 kB.
  const SIDE = 256;

  class SiteGrid {
    /* ``lon``, ``lat``: every site's position, by site number; ``sites``: the numbers of the
     * sites counted. */
    constructor(lon, lat, sites) {
      let [west, south, east, north] = [Infinity, Infinity, -Infinity, -Infinity];
      for (const site of sites) {
        west = Math.min(west, lon[site]);
        east = Math.max(east, lon[site]);
        south = Math.min(south, lat[site]);
        north = Math.max(north, lat[site]);
      }
      this.west = west;
      this.south = south;
      this.width = (east - west) / SIDE || 1;
      this.height = (north - south) / SIDE || 1;
      // The sites' positions in order of their cells, and where each cell's sites begin.
      const cells = Int32Array.from(sites, (site) => this.cell(lon[site], lat[site]));
      this.starts = new Int32Array(SIDE * SIDE + 1);
      for (const cell of cells) {
        this.starts[cell + 1] += 1;
      }
      // Running totals over rows and columns: totals[(r + 1) * (SIDE + 1) + c + 1] is the
      // number of sites in the cells of rows 0..r and columns 0..c.
      const totals = new Int32Array((SIDE + 1) * (SIDE + 1));
      for (let row = 0; row < SIDE; row += 1) {
        let inRow = 0;
        for (let column = 0; column < SIDE; column += 1) {
          inRow += this.starts[row * SIDE + column + 1];
          const at = (row + 1) * (SIDE + 1) + column + 1;
          totals[at] = totals[at - SIDE - 1] + inRow;
        }
      }
      this.totals = totals;
      for (let cell = 0; cell < SIDE * SIDE; cell += 1) {
        this.starts[cell + 1] += this.starts[cell];
      }
      const next = this.starts.slice(0, -1);
      this.lon = new Float64Array(cells.length);
      this.lat = new Float64Array(cells.length);
      cells.forEach((cell, k) => {
        const at = next[cell]++;
        this.lon[at] = lon[sites[k]];
        this.lat[at] = lat[sites[k]];
      });
    }

    /* The column and the row of a position, each clamped to the grid. The same arithmetic
     * places a site and a box's edges, so a cell between two edges' cells holds only sites
     * inside the box. */
    column(lon) {
      return Math.min(SIDE - 1, Math.max(0, Math.floor((lon - this.west) / this.width)));
    }

    row(lat) {
      return Math.min(SIDE - 1, Math.max(0, Math.floor((lat - this.south) / this.height)));
    }

    cell(lon, lat) {
      return this.row(lat) * SIDE + this.column(lon);
    }

    /* The sites in ``[west, south, east, north]`` (degrees, edges included). */
    count([west, south, east, north]) {
      if (!this.lon.length || west > east || south > north) {
        return 0;
      }
      const [left, right] = [this.column(west), this.column(east)];
      const [bottom, top] = [this.row(south), this.row(north)];
      let count = this.whole(left + 1, bottom + 1, right - 1, top - 1);
      for (let row = bottom; row <= top; row += 1) {
        const edge = row === bottom || row === top; // else only its first and last cells
        for (let column = left; column <= right; column += edge ? 1 : right - left || 1) {
          const cell = row * SIDE + column;
          for (let at = this.starts[cell]; at < this.starts[cell + 1]; at += 1) {
            const [x, y] = [this.lon[at], this.lat[at]];
            count += x >= west && x <= east && y >= south && y <= north ? 1 : 0;
          }
        }
      }
      return count;
    }

    /* The sites in the cells of columns ``left..right`` and rows ``bottom..top``. */
    whole(left, bottom, right, top) {
      if (left > right || bottom > top) {
        return 0;
      }
      const at = (row, column) => this.totals[row * (SIDE + 1) + column];
      return at(top + 1, right + 1) - at(bottom, right + 1) - at(top + 1, left) + at(bottom, left);
    }
  }

  CA.SiteGrid = SiteGrid;
})(window.CorridorAtlas = window.CorridorAtlas || {});
