/**
 * The query editor's entity and field pickers: @grafana/ui's Combobox and MultiCombobox where the Grafana
 * running the plugin has them (11.x on; from 12 on Select is deprecated in their favour), else Select and
 * MultiSelect, which every supported Grafana (10.4 on) has. Grafana hands plugins its own @grafana/ui at
 * run time, so which of them exists is known only there: a named import of a component it lacks would be
 * `undefined` and crash the editor.
 */
import * as GrafanaUI from "@grafana/ui";
import { MultiSelect, Select } from "@grafana/ui";

export interface PickerOption {
  label: string;
  value: string;
  description?: string;
}

const { Combobox, MultiCombobox } = GrafanaUI as Partial<typeof GrafanaUI>;

export interface EntityPickerProps {
  options: PickerOption[];
  value: string;
  loading: boolean;
  onChange: (value: string) => void;
}

/** One entity (or a template variable: custom values are allowed). */
export function EntityPicker({ options, value, loading, onChange }: EntityPickerProps) {
  if (Combobox) return <Combobox id="nomnom-entity" width={28} options={options} value={value} createCustomValue loading={loading} onChange={(o) => onChange(o.value)} />;
  return <Select<string> inputId="nomnom-entity" width={28} options={options} value={value} allowCustomValue isLoading={loading} onChange={(o) => onChange(o.value ?? "")} />;
}

export interface FieldsPickerProps {
  options: PickerOption[];
  value: string[];
  placeholder: string;
  onChange: (values: string[]) => void;
}

/** Any number of the entity's columns. */
export function FieldsPicker({ options, value, placeholder, onChange }: FieldsPickerProps) {
  if (MultiCombobox) return <MultiCombobox<string> id="nomnom-fields" width="auto" minWidth={28} options={options} value={value} placeholder={placeholder} onChange={(opts) => onChange(opts.map((o) => o.value))} />;
  return <MultiSelect<string> inputId="nomnom-fields" width="auto" options={options} value={value} placeholder={placeholder} onChange={(opts) => onChange(opts.map((o) => o.value).filter((v): v is string => v !== undefined))} />;
}
