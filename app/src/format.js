// How times read on the phone, in the chosen language.
import { lang } from './i18n.js';

export const formatTime = (ms) => new Date(ms).toLocaleString(lang(), { hour12: false });
