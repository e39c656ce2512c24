/** Keyboard maths for the gallery's controls (pure: no DOM). */

/** The radio to select for a key in a wrapping radiogroup, or null when the key does not move the selection. */
export function radioKeyTarget(key: string, index: number, count: number): number | null {
  if (count <= 0) return null
  switch (key) {
    case "ArrowRight":
    case "ArrowDown":
      return (index + 1) % count
    case "ArrowLeft":
    case "ArrowUp":
      return (index - 1 + count) % count
    case "Home":
      return 0
    case "End":
      return count - 1
    default:
      return null
  }
}

/** The element to focus when Tab (or Shift+Tab) leaves the ends of a focus trap, or null to let the browser move. */
export function trapTarget<T>(focusables: readonly T[], active: T | null, backwards: boolean): T | null {
  const first = focusables[0]
  const last = focusables[focusables.length - 1]
  if (first === undefined || last === undefined) return null
  const inside = active !== null && focusables.includes(active)
  if (!inside) return backwards ? last : first
  if (backwards && active === first) return last
  if (!backwards && active === last) return first
  return null
}
