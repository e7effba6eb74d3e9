/** Brand colour: browser toolbar, installed-app splash; white text on it has a 7.3:1 contrast ratio. */
export const THEME_COLOR = '#0b5d7a';
