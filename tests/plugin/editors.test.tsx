/**
 * The datasource's editors: the config editor keeps the URL in jsonData and the token in
 * secureJsonData (never shown back once saved); the query editor lists the backend's entities and
 * their fields, and changes the query type.
 */
import { describe, expect, it, jest } from "@jest/globals";
import "@testing-library/jest-dom/jest-globals";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import type { DataSourceSettings } from "@grafana/data";
import { PLUGIN_ID } from "../../contract/index.ts";
import { ConfigEditor } from "../../src/datasource/ConfigEditor.tsx";
import type { NomnomDataSource } from "../../src/datasource/datasource.ts";
import { QueryEditor } from "../../src/datasource/QueryEditor.tsx";
import type { NomnomOptions, NomnomQuery, NomnomSecureOptions } from "../../src/shared/types.ts";
import { LINE, ORDER } from "./support/fixtures.ts";

function settings(patch: Partial<DataSourceSettings<NomnomOptions, NomnomSecureOptions>> = {}): DataSourceSettings<NomnomOptions, NomnomSecureOptions> {
  return { id: 1, uid: "u", name: "nomnom", type: PLUGIN_ID.datasource, jsonData: {}, secureJsonFields: {}, ...patch } as DataSourceSettings<NomnomOptions, NomnomSecureOptions>;
}

describe("ConfigEditor", () => {
  it("puts the backend URL in jsonData and the token in secureJsonData", () => {
    const onOptionsChange = jest.fn();
    const { container } = render(<ConfigEditor options={settings()} onOptionsChange={onOptionsChange} />);
    fireEvent.change(container.querySelector("#nomnom-url")!, { target: { value: "http://nomnom-live:8080" } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ jsonData: { url: "http://nomnom-live:8080" } }));
    fireEvent.change(screen.getByPlaceholderText("bearer token"), { target: { value: "secret-token-123456" } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ secureJsonData: { token: "secret-token-123456" } }));
  });

  it("never shows a saved token, offers to reset it, and flags a URL that is not http(s)", () => {
    const onOptionsChange = jest.fn();
    render(<ConfigEditor options={settings({ jsonData: { url: "nomnom-live:8080" }, secureJsonFields: { token: true } })} onOptionsChange={onOptionsChange} />);
    expect(screen.getByText("Use an http:// or https:// address")).toBeInTheDocument();
    expect(screen.getByDisplayValue("configured")).toBeDisabled();
    fireEvent.click(screen.getByRole("button", { name: "Reset" }));
    expect(onOptionsChange).toHaveBeenLastCalledWith(expect.objectContaining({ secureJsonFields: { token: false }, secureJsonData: { token: "" } }));
  });
});

describe("QueryEditor", () => {
  it("lists the entities, shows the fields of the chosen one, and switches the query type", async () => {
    const datasource = { getEntities: () => Promise.resolve([ORDER, LINE]) } as unknown as NomnomDataSource;
    const onChange = jest.fn();
    const onRunQuery = jest.fn();
    const query: NomnomQuery = { refId: "A", queryType: "live", entity: "Order" };
    render(<QueryEditor query={query} onChange={onChange} onRunQuery={onRunQuery} datasource={datasource} />);
    await waitFor(() => expect(screen.getByDisplayValue("📦 Order")).toBeInTheDocument());
    expect(screen.getByPlaceholderText("every column")).toBeInTheDocument();
    expect(screen.getByPlaceholderText("500")).toBeInTheDocument();
    fireEvent.click(screen.getByLabelText("Insert rate"));
    expect(onChange).toHaveBeenLastCalledWith({ ...query, queryType: "rate" });
    expect(onRunQuery).toHaveBeenCalled();
  });
});
