/**
 * Datasource settings: the backend URL (as Grafana's server reaches it; REST goes through the data
 * proxy), an optional browser URL for the WebSocket, and the token, kept in secureJsonData so the
 * browser never sees it.
 */
import {
  onUpdateDatasourceJsonDataOption,
  onUpdateDatasourceSecureJsonDataOption,
  updateDatasourcePluginResetOption,
  type DataSourcePluginOptionsEditorProps,
} from "@grafana/data";
import { Field, FieldSet, Input, SecretInput } from "@grafana/ui";
import { API_PREFIX } from "../../contract/index.ts";
import type { NomnomOptions, NomnomSecureOptions } from "../shared/types.ts";

export type ConfigEditorProps = DataSourcePluginOptionsEditorProps<NomnomOptions, NomnomSecureOptions>;

export function ConfigEditor(props: ConfigEditorProps) {
  const { options } = props;
  const { jsonData, secureJsonFields, secureJsonData } = options;
  const url = jsonData.url ?? "";
  const urlInvalid = url !== "" && !/^https?:\/\/[^\s/]+/.test(url);
  return (
    <FieldSet label="nomnom-live backend">
      <Field
        label="Backend URL"
        description={`The backend's base address as Grafana's server reaches it, without ${API_PREFIX} (for example http://nomnom-live:8080). REST calls go through Grafana's data proxy.`}
        required
        invalid={urlInvalid}
        error={urlInvalid ? "Use an http:// or https:// address" : undefined}
      >
        <Input id="nomnom-url" value={url} placeholder="http://localhost:8080" width={48} onChange={onUpdateDatasourceJsonDataOption(props, "url")} />
      </Field>
      <Field
        label="Browser URL"
        description="The backend's address as browsers reach it, for the live WebSocket (Grafana's proxy does not carry WebSockets). Leave empty when it is the same as the backend URL. Add Grafana's own address to the backend's server.cors_origins."
      >
        <Input id="nomnom-browser-url" value={jsonData.browserUrl ?? ""} placeholder={url || "http://localhost:8080"} width={48} onChange={onUpdateDatasourceJsonDataOption(props, "browserUrl")} />
      </Field>
      <Field label="Token" description="One of the backend's server.auth_tokens, if it has any. Kept encrypted by Grafana and added by its proxy; the browser only ever gets single-use WebSocket tickets.">
        <SecretInput
          id="nomnom-token"
          isConfigured={Boolean(secureJsonFields?.token)}
          value={secureJsonData?.token ?? ""}
          placeholder="bearer token"
          width={48}
          onReset={() => updateDatasourcePluginResetOption(props, "token")}
          onChange={onUpdateDatasourceSecureJsonDataOption(props, "token")}
        />
      </Field>
    </FieldSet>
  );
}
