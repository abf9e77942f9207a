// leaflet.markercluster extends the global `L`: make the bundled Leaflet that global first.
import L from 'leaflet';

window.L = L;
export default L;
