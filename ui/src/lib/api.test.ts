import { describe, expect, it } from "vitest";
import { ApiError, toApiError } from "./api";

describe("toApiError", () => {
  it("keeps Scopebook's own reports as they are", () => {
    const e = toApiError({ code: "invalid", message: "Enter a name.", fields: [{ field: "name", message: "Enter a name." }] });
    expect(e).toBeInstanceOf(ApiError);
    expect(e.code).toBe("invalid");
    expect(e.message).toBe("Enter a name.");
  });

  it("gives arguments Tauri couldn't read their own code, without Tauri's text", () => {
    const e = toApiError("invalid args `filter` for command `list_proposals`: missing field `search`");
    expect(e.code).toBe("bad_request");
    expect(e.message).not.toContain("list_proposals");
    expect(e.message).toContain("Restart Scopebook");
  });

  it("treats anything else as an IPC failure", () => {
    expect(toApiError("the window was closed").code).toBe("io");
  });
});
