import type { MetadataRoute } from 'next';
import { THEME_COLOR } from '../lib/theme';

export default function manifest(): MetadataRoute.Manifest {
  return {
    id: '/',
    name: 'ClinLoop for patients',
    short_name: 'ClinLoop',
    description: 'Home blood pressure care with your care team. Not an emergency service.',
    lang: 'en',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    orientation: 'any',
    background_color: '#ffffff',
    theme_color: THEME_COLOR,
    categories: ['health', 'medical'],
    icons: [
      { src: '/icons/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
      { src: '/icons/icon-maskable.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'maskable' },
    ],
  };
}
