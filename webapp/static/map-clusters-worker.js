/* Corridor Atlas: the worker that clusters a large map's sites (see map-clusters.js).
 *
 * It is sent every site's position once ({lon, lat}), then requests ({number, sites, options}:
 * the numbers of the sites that pass the filters). For each it loads a Supercluster and
 * answers {number, trees}: per zoom, the KDBush tree's buffer and the flat cluster data, as
 * transferable buffers.
 */
/* global Supercluster */
importScripts("vendor/supercluster.min.js");

let positions = null;

self.onmessage = (event) => {
  const message = event.data;
  if (!("number" in message)) {
    positions = message;
    return;
  }
  const { lon, lat } = positions;
  const points = Array.from(message.sites, (site) => ({
    geometry: { coordinates: [lon[site], lat[site]] },
  }));
  const index = new Supercluster(message.options).load(points);
  const trees = index.trees.map((tree) => ({
    buffer: tree.ids.buffer, // KDBush's whole buffer: its header, ids and coordinates
    data: Float64Array.from(tree.data),
  }));
  const transfer = trees.flatMap((tree) => [tree.buffer, tree.data.buffer]);
  self.postMessage({ number: message.number, trees }, transfer);
};
