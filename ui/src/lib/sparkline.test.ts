import { describe, expect, it } from "vitest";
import { sparkPoints } from "./sparkline";

describe("sparkPoints", () => {
  it("spans the width and puts the lowest value on the bottom, the highest near the top", () => {
    const points = sparkPoints([1200, 900, 1500, 1500, 1000], 100, 36, 2);
    expect(points.map(([x]) => x)).toEqual([0, 25, 50, 75, 100]);
    expect(points[1][1]).toBe(36);
    expect(points[2][1]).toBe(2);
    expect(points[3][1]).toBe(2);
    // 1200 is half-way between 900 and 1500.
    expect(points[0][1]).toBeCloseTo(19, 10);
  });

  it("draws a flat line across the middle and a single month in the centre", () => {
    expect(sparkPoints([500, 500, 500], 100, 36)).toEqual([
      [0, 18],
      [50, 18],
      [100, 18],
    ]);
    expect(sparkPoints([750], 100, 36)).toEqual([[50, 18]]);
    expect(sparkPoints([], 100, 36)).toEqual([]);
  });

  it("handles negative months (a firm losing revenue)", () => {
    const points = sparkPoints([-100, 0, 100], 10, 20, 0);
    expect(points).toEqual([
      [0, 20],
      [5, 10],
      [10, 0],
    ]);
  });
});
