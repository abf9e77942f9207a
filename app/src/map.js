// A map with no tiles and no internet: an inline SVG of the township and village outlines
// the phone holds (the `outline` GeoJSON of `township` / `village_grid`, simplified by the
// server), the day's stops in order, and where the phone is. Longitude is scaled by the
// cosine of the latitude, which is all the projection a few kilometres need.
const NS = 'http://www.w3.org/2000/svg';
const WIDTH = 360;
// Degrees the map spans at least: a village or two around the stops.
const MIN_SPAN = 0.015;

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

const parse = (text) => {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
};

// The rings of a GeoJSON Polygon or MultiPolygon.
function ringsOf(geometry) {
  if (!geometry) return [];
  if (geometry.type === 'Polygon') return geometry.coordinates;
  if (geometry.type === 'MultiPolygon') return geometry.coordinates.flat();
  return [];
}

// The stops with a margin, at least MIN_SPAN across, widened or heightened to a landscape
// shape (between 2:1 and 4:3 on the ground) so the villages around them show.
function viewOf(points, scaleX) {
  const lons = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  const [midLon, midLat] = [(Math.min(...lons) + Math.max(...lons)) / 2,
    (Math.min(...lats) + Math.max(...lats)) / 2];
  let wide = Math.max((Math.max(...lons) - Math.min(...lons)) * 1.5, MIN_SPAN) * scaleX;
  let high = Math.max((Math.max(...lats) - Math.min(...lats)) * 1.5, MIN_SPAN);
  if (high > wide * 0.75) wide = high / 0.75;
  if (high < wide * 0.5) high = wide * 0.5;
  return { west: midLon - wide / scaleX / 2, east: midLon + wide / scaleX / 2,
    south: midLat - high / 2, north: midLat + high / 2 };
}

const overlaps = (box, view) => box && box[0] <= view.east && box[2] >= view.west
  && box[1] <= view.north && box[3] >= view.south;

// stops: [{id, seq, lon, lat, state}] in visiting order; villages, townships: raw
// records; position: {lon, lat} or null; label: what a screen reader says.
export function stopsMap({ stops, villages, townships, position, label }) {
  const placed = stops.filter((s) => s.lon !== null && s.lon !== undefined
    && s.lat !== null && s.lat !== undefined);
  const anchor = placed.map((s) => [s.lon, s.lat]);
  if (!anchor.length && position) anchor.push([position.lon, position.lat]);
  if (!anchor.length) return null;
  const scaleX = Math.cos((anchor[0][1] * Math.PI) / 180);
  const view = viewOf(anchor, scaleX);
  const k = WIDTH / ((view.east - view.west) * scaleX);
  const height = Math.round((view.north - view.south) * k);
  const x = (lon) => ((lon - view.west) * scaleX * k).toFixed(1);
  const y = (lat) => ((view.north - lat) * k).toFixed(1);
  const path = (geometry) => ringsOf(geometry).map((ring) => `M${ring.map(
    ([lon, lat]) => `${x(lon)} ${y(lat)}`).join('L')}Z`).join('');
  const areas = (rows, cls) => rows
    .map((row) => ({ row, box: parse(row.bbox), shape: parse(row.outline) }))
    .filter(({ box, shape }) => shape && overlaps(box, view))
    .map(({ row, shape }) => svg('path', { class: cls, d: path(shape), 'data-id': row.id },
      svg('title', {}, row.name || '')));
  const labels = villages.map((row) => ({ row, box: parse(row.bbox) }))
    .filter(({ row, box }) => row.outline && overlaps(box, view) && row.centroid_lon !== null)
    // Under the village's northern edge (kept inside the map), clear of stops near its middle.
    .map(({ row, box }) => svg('text', { class: 'map-label', x: x(row.centroid_lon),
      y: Math.max(Number(y(box[3])), 0) + 14, 'text-anchor': 'middle' }, row.name || ''));
  const route = placed.length > 1 && svg('polyline', { class: 'map-route',
    points: placed.map((s) => `${x(s.lon)},${y(s.lat)}`).join(' ') });
  const marks = placed.map((s) => svg('g', { class: `map-stop ${s.state}`, 'data-id': s.id },
    svg('circle', { cx: x(s.lon), cy: y(s.lat), r: 10 }),
    svg('text', { x: x(s.lon), y: y(s.lat), dy: '0.35em', 'text-anchor': 'middle' },
      String(s.seq ?? ''))));
  const here = position && svg('circle', { class: 'map-here', cx: x(position.lon),
    cy: y(position.lat), r: 6 });
  return svg('svg', { id: 'round-map', class: 'map', viewBox: `0 0 ${WIDTH} ${height}`,
    role: 'img', 'aria-label': label },
  svg('rect', { class: 'map-ground', width: WIDTH, height }),
  areas(townships, 'map-township'), areas(villages, 'map-village'), labels, route || null,
  here || null, marks);
}
