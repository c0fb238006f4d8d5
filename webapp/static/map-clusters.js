/* Corridor Atlas: the large map's cluster index (supercluster), remade in a worker.
 *
 * Indexing 100,000 sites takes about a second here. The first index is made on the page, as
 * it opens: a worker would start later and share the two cores with the page reading its
 * features (tried: the clusters showed 8% later). Every later index (a change of filters) is
 * made in a worker (map-clusters-worker.js), started once the map is drawn, so the page no
 * longer freezes while the sites are clustered again. The worker hands the index back as
 * buffers (each zoom's KDBush tree and its flat cluster data, transferred, not copied), from
 * which a Supercluster here answers exactly as one loaded here would. Where no worker starts
 * (no Worker, its script refused), the page makes every index itself.
 */
(function (CA) {
  "use strict";

  const HERE = (document.currentScript && document.currentScript.src) || "/static/";
  const WORKER_URL = new URL("map-clusters-worker.js", HERE).href;
  // Indexes kept, the newest first: a filter switched off and on again costs no new index.
  // Each holds about 25 MB at 100,000 sites.
  const KEPT = 2;

  /* Supercluster keeps its KDBush class to itself; an empty index's tree is one. */
  let KDBush = null;
  function kdbush() {
    KDBush = KDBush || new Supercluster().load([]).trees[0].constructor;
    return KDBush;
  }

  function sameSites(a, b) {
    if (a.length !== b.length) {
      return false;
    }
    for (let i = 0; i < a.length; i += 1) {
      if (a[i] !== b[i]) {
        return false;
      }
    }
    return true;
  }

  class ClusterIndex {
    /* ``lon``, ``lat``: every site's position, by site number; ``options``: supercluster's;
     * ``pointOf(n)``: site n as the GeoJSON point the index returns for it; ``ready(index)``
     * is called with each index made, unless a later ``load`` superseded it. */
    constructor(lon, lat, options, pointOf, ready) {
      this.positions = { lon, lat };
      this.options = options;
      this.pointOf = pointOf;
      this.ready = ready;
      this.requests = 0;
      this.recent = []; // requests, newest first: {number, sites, index, by}
      this.last = null; // the request whose index is wanted
      this.worker = null;
    }

    /* Start the worker for the indexes to come (once the first is drawn). */
    startWorker() {
      if (this.worker || !window.Worker) {
        return;
      }
      try {
        this.worker = new Worker(WORKER_URL);
      } catch (error) {
        console.warn("Corridor Atlas: clustering on the page", error);
        return;
      }
      this.worker.onmessage = (event) => this.received(event.data);
      this.worker.onerror = (event) => this.failed(event);
      const lon = Float64Array.from(this.positions.lon);
      const lat = Float64Array.from(this.positions.lat);
      this.worker.postMessage({ lon, lat }, [lon.buffer, lat.buffer]);
    }

    /* Index the sites numbered ``sites`` (an Int32Array, ascending), then call ``ready``:
     * later if the worker does it, at once if not or if a kept index holds the same sites. */
    load(sites) {
      const known = this.recent.find((request) => sameSites(request.sites, sites));
      if (known) {
        this.last = known;
        if (known.index) {
          this.ready(known.index);
        } else if (!this.worker) {
          this.onPage(known); // asked of a worker that failed since
        }
        return; // else ready when the worker answers
      }
      this.requests += 1;
      this.last = { number: this.requests, sites, index: null, by: null };
      this.recent = [this.last, ...this.recent].slice(0, KEPT);
      if (this.worker) {
        this.worker.postMessage({ number: this.requests, sites, options: this.options });
      } else {
        this.onPage(this.last);
      }
    }

    onPage(request) {
      const points = Array.from(request.sites, this.pointOf);
      this.made(request, new Supercluster(this.options).load(points), "page");
    }

    made(request, index, by) {
      request.index = index;
      request.by = by;
      if (request === this.last) {
        this.ready(index);
      }
    }

    /* The worker's trees for a request still kept. */
    received({ number, trees }) {
      const request = this.recent.find((kept) => kept.number === number);
      if (!request) {
        return; // dropped while the worker was at it
      }
      const index = new Supercluster(this.options);
      index.trees = trees.map(({ buffer, data }) => {
        const tree = kdbush().from(buffer);
        tree.data = data;
        return tree;
      });
      index.points = Array.from(request.sites, this.pointOf);
      this.made(request, index, "worker");
    }

    /* A worker that cannot run (its script refused or failing): the page does the work. */
    failed(event) {
      console.warn("Corridor Atlas: clustering on the page", event.message || event.type);
      event.preventDefault();
      this.worker.terminate();
      this.worker = null;
      this.recent = this.recent.filter((request) => request.index || request === this.last);
      if (this.last && !this.last.index) {
        this.onPage(this.last);
      }
    }
  }

  CA.ClusterIndex = ClusterIndex;
})(window.CorridorAtlas = window.CorridorAtlas || {});
