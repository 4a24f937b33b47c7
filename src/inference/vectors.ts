/** Small dense-vector helpers for the model's item space. */

export function unitVector(vector: Float32Array): Float32Array {
  const norm = Math.hypot(...vector);
  return norm > 0 ? vector.map((x) => x / norm) : vector.slice();
}

/** `into += scale · vector`, in place. */
export function addScaled(into: Float32Array, vector: Float32Array, scale: number): void {
  for (let k = 0; k < into.length; k++) into[k]! += vector[k]! * scale;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += a[k]! * b[k]!;
  return sum;
}
