/**
 * Grafana's standard field options (unit, decimals, display name, no value, value mappings) as its
 * registry holds them at run time. Grafana's core fills that registry when it starts, with editors and
 * the processors that turn a dashboard's field config into a field's config; a page that stands in for
 * Grafana (the preview, the panel's render tests) fills it here with the same processors and no
 * editors, so applyFieldOverrides applies a panel's field config as Grafana does.
 */
import {
  displayNameOverrideProcessor,
  FieldConfigProperty,
  numberOverrideProcessor,
  standardFieldConfigEditorRegistry,
  stringOverrideProcessor,
  unitOverrideProcessor,
  valueMappingsOverrideProcessor,
  type FieldConfigPropertyItem,
} from "@grafana/data";

const noEditor = () => null;

function item(id: FieldConfigProperty, process: FieldConfigPropertyItem["process"]): FieldConfigPropertyItem {
  return { id, path: id, name: id, editor: noEditor, override: noEditor, process, shouldApply: () => true, settings: {} };
}

/** Fills the registry, unless something filled (or read) it before. */
export function installStandardOptions(): void {
  try {
    standardFieldConfigEditorRegistry.setInit(() => [
      item(FieldConfigProperty.Unit, unitOverrideProcessor),
      item(FieldConfigProperty.Decimals, numberOverrideProcessor),
      item(FieldConfigProperty.DisplayName, displayNameOverrideProcessor),
      item(FieldConfigProperty.NoValue, stringOverrideProcessor),
      item(FieldConfigProperty.Mappings, valueMappingsOverrideProcessor),
    ]);
  } catch {
    // Already initialised: whoever did it knew the options.
  }
}
