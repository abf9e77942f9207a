// What every screen shares: the app's state and a way to ask for a new drawing. main.js
// installs the drawing function; screens only call render().
export const state = {
  database: null, tab: null, syncing: null, syncStep: '', syncError: '', storageRefused: false,
  position: null, positionNote: '', locating: false, notice: '',
};

let draw = async () => {};
let rendering = Promise.resolve();

export function setDraw(fn) {
  draw = fn;
}

// Drawings run one after the other, so a slow screen never paints over a newer one.
export function render() {
  rendering = rendering.then(() => draw(), () => draw());
  return rendering;
}
