// Preact with htm: components written as tagged templates, so the browser runs the files as
// they are (no build step). Every page imports its rendering tools from here.
import { h, render } from './vendor/preact.mjs';
import { useCallback, useEffect, useRef, useState } from './vendor/hooks.mjs';
import htm from './vendor/htm.mjs';

export const html = htm.bind(h);
export { render, useCallback, useEffect, useRef, useState };
