/** Inline SVG icons (24-unit stroke icons), built as DOM nodes so nothing is fetched. */

const PATHS = {
  download: ["M12 3v12", "m7 10 5 5 5-5", "M5 21h14"],
  trash: ["M3 6h18", "M8 6V4h8v2", "M6 6l1 14h10l1-14", "M10 11v6", "M14 11v6"],
  close: ["M6 6l12 12", "M18 6 6 18"],
  prev: ["m15 18-6-6 6-6"],
  next: ["m9 18 6-6-6-6"],
  expand: ["M4 9V4h5", "M20 9V4h-5", "M4 15v5h5", "M20 15v5h-5"],
  shrink: ["M9 4v5H4", "M15 4v5h5", "M9 20v-5H4", "M15 20v-5h5"],
  pip: ["M3 5h18v14H3z", "M12 12h7v5h-7z"],
  search: ["M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14z", "m20 20-4-4"],
  alert: ["M12 3 2 21h20z", "M12 10v5", "M12 18v.5"],
  image: ["M4 4h16v16H4z", "m4 16 5-5 4 4 3-3 4 4", "M15 8.5h.5"],
} as const

export type IconName = keyof typeof PATHS

const SVG_NS = "http://www.w3.org/2000/svg"

export function icon(name: IconName): SVGElement {
  const svg = document.createElementNS(SVG_NS, "svg")
  svg.setAttribute("viewBox", "0 0 24 24")
  svg.setAttribute("fill", "none")
  svg.setAttribute("stroke", "currentColor")
  svg.setAttribute("stroke-width", "2")
  svg.setAttribute("stroke-linecap", "round")
  svg.setAttribute("stroke-linejoin", "round")
  svg.setAttribute("aria-hidden", "true")
  svg.setAttribute("focusable", "false")
  for (const d of PATHS[name]) {
    const path = document.createElementNS(SVG_NS, "path")
    path.setAttribute("d", d)
    svg.append(path)
  }
  return svg
}
