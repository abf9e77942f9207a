// A form's camera field: take photos (downscaled and checked by photos.js), say how many are ready or why one was refused, and keep them for the record once it
// is saved. For any form whose record has `attachments` (a lead, a visit).
import { h } from './dom.js';
import { addWords, t } from './i18n.js';
import { keepPhoto, PhotoTooLarge, preparePhoto } from './photos.js';

addWords({
  zh: { 'camera.photos': '照片', 'camera.take': '拍照', 'camera.ready': '已添加 {n} 张照片',
    'camera.tooLarge': '照片太大：缩小后仍有 {size} MB，法院最多接收 {limit} MB',
    'camera.failed': '无法读取这张照片' },
  en: { 'camera.photos': 'Photos', 'camera.take': 'Take a photo', 'camera.ready': '{n} photos added',
    'camera.tooLarge': 'Photo too large: {size} MB even downscaled; the court takes at most {limit} MB',
    'camera.failed': 'This photo could not be read' },
});

const MB = (bytes) => (bytes / 1024 / 1024).toFixed(1);

// `prepared` outlives redraws (the form is drawn again on every render): pass the same array
// while the same record is being written. `id` names the input (#<id>) and its note
// (#<id>-note).
export function cameraField(id, prepared) {
  const note = h('p', { id: `${id}-note`, class: 'muted' },
    prepared.length ? t('camera.ready', { n: prepared.length }) : '');
  const input = h('input', { id, class: 'camera', type: 'file', accept: 'image/*',
    capture: 'environment', multiple: true, onchange: async () => {
      for (const file of input.files) {
        try {
          prepared.push(await preparePhoto(file));
          note.textContent = t('camera.ready', { n: prepared.length });
          note.className = 'muted';
        } catch (error) {
          note.textContent = error instanceof PhotoTooLarge
            ? t('camera.tooLarge', { size: MB(error.size), limit: MB(error.limit) })
            : t('camera.failed');
          note.className = 'error';
        }
      }
      input.value = '';
    } });
  return [h('label', {}, t('camera.photos')),
    h('label', { for: id, class: 'camera-button', role: 'button' }, t('camera.take')),
    input, note];
}

// The photos taken for a record just saved, kept (sealed) until the next sync sends them.
export async function keepPhotos(table, recordId, prepared) {
  for (const photo of prepared) await keepPhoto(table, recordId, photo);
  prepared.length = 0;
}
