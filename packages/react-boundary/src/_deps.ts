/**
 * What the root entry takes from React and `@arm/errors`, imported in this one module. The
 * CommonJS build (and any bundler that loads them as external CommonJS modules) then holds one
 * `require` of each instead of one per module, and calls `h` rather than reading
 * `createElement` off the module at each call: both keep the entry within its size budget.
 */
import {
  Component,
  createContext,
  createElement,
  forwardRef,
  useContext,
  useEffect,
  useMemo,
  useRef,
} from 'react';

export { Component, createContext, forwardRef, useContext, useEffect, useMemo, useRef };
export { ConfigurationError, toAppError } from '@arm/errors';

/** `createElement`, under the short name the components call instead of using JSX. */
export const h = createElement;
