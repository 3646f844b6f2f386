/** The query: which entity, what to get (live rows, stats, insert rate, history), which columns, how many rows. */
import { useEffect, useMemo, useState } from "react";
import { isIconName, type QueryEditorProps, type SelectableValue } from "@grafana/data";
import { InlineField, Input, RadioButtonGroup, Stack } from "@grafana/ui";
import { QUERY_TYPES as QUERY_TYPE_ORDER, type EntityInfo } from "../../contract/index.ts";
import { DEFAULT_QUERY_TYPE, type NomnomOptions, type NomnomQuery, type QueryType } from "../shared/types.ts";
import type { NomnomDataSource } from "./datasource.ts";
import { EntityPicker, FieldsPicker, type PickerOption } from "./pickers.tsx";

export type QueryEditorPropsT = QueryEditorProps<NomnomDataSource, NomnomQuery, NomnomOptions>;

const ALL = "";

/** How each of the contract's query types is offered (a type without its words here does not compile). */
const QUERY_TYPE_TEXT: Record<QueryType, { label: string; description: string }> = {
  live: { label: "Live rows", description: "The latest rows, then every new one" },
  stats: { label: "Stats", description: "Totals and insert counts per entity" },
  rate: { label: "Insert rate", description: "Inserts per second over time" },
  history: { label: "History", description: "Rows of the dashboard's time range" },
};

export const QUERY_TYPES: Array<SelectableValue<QueryType>> = QUERY_TYPE_ORDER.map((value) => ({ value, ...QUERY_TYPE_TEXT[value] }));

export function QueryEditor({ query, onChange, onRunQuery, datasource }: QueryEditorPropsT) {
  const [entities, setEntities] = useState<EntityInfo[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    datasource.getEntities().then(
      (list) => live && setEntities(list),
      (e: unknown) => live && setLoadError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [datasource]);

  const queryType = query.queryType ?? DEFAULT_QUERY_TYPE;
  const entity = entities?.find((e) => e.name === query.entity);
  const entityOptions: PickerOption[] = useMemo(
    () => [{ label: "All entities", value: ALL }, ...(entities ?? []).map((e) => ({ label: isIconName(e.icon) ? e.name : `${e.icon} ${e.name}`, value: e.name, description: e.table }))],
    [entities],
  );
  const fieldOptions: PickerOption[] = (entity?.fields ?? []).map((f) => ({ label: f.name, value: f.name, description: f.type }));
  const update = (patch: Partial<NomnomQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };

  return (
    <Stack direction="column" gap={1}>
      <Stack wrap="wrap" gap={1}>
        <InlineField label="Entity" labelWidth={10} error={loadError} invalid={Boolean(loadError)} tooltip="Template variables are allowed ($entity)">
          <EntityPicker
            options={entityOptions}
            value={query.entity ?? ALL}
            loading={entities === null && !loadError}
            onChange={(value) => update({ entity: value === ALL ? undefined : value, fields: undefined })}
          />
        </InlineField>
        <InlineField label="Query" labelWidth={10}>
          <RadioButtonGroup<QueryType> options={QUERY_TYPES} value={queryType} onChange={(v) => update({ queryType: v })} />
        </InlineField>
      </Stack>
      {(queryType === "live" || queryType === "history") && (
        <Stack wrap="wrap" gap={1}>
          <InlineField label="Fields" labelWidth={10} tooltip="Columns to return; none selected = every column" disabled={!entity}>
            <FieldsPicker
              options={fieldOptions}
              value={query.fields ?? []}
              placeholder={entity ? "every column" : "pick an entity first"}
              onChange={(fields) => update({ fields })}
            />
          </InlineField>
          <InlineField label="Rows" labelWidth={10} tooltip={queryType === "live" ? "Rows kept, up to the entity's max_records" : "Newest rows of the range to fetch (default 5000)"}>
            <Input
              id="nomnom-limit"
              type="number"
              width={12}
              min={1}
              placeholder={queryType === "live" ? String(entity?.max_records ?? "max_records") : "5000"}
              defaultValue={query.limit ?? ""}
              onBlur={(e) => {
                const n = Number(e.currentTarget.value);
                update({ limit: e.currentTarget.value === "" || !Number.isFinite(n) || n < 1 ? undefined : Math.floor(n) });
              }}
            />
          </InlineField>
        </Stack>
      )}
    </Stack>
  );
}
