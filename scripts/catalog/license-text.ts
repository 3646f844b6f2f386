/**
 * Which license a LICENSE file holds, among those the Grafana catalog accepts (the plugin-validator's
 * license pass: 0BSD, BSD-*, MIT*, Apache-2.0, LGPL-3*, GPL-3.0*, AGPL-3.0*). The validator scores the
 * text against SPDX's with go-license-detector; offline, a license is recognised by the sentences every
 * copy of it carries — for Apache-2.0 its title, version and the headings of all nine sections.
 */
const KNOWN: Array<{ spdx: string; sentences: string[] }> = [
  {
    spdx: "Apache-2.0",
    sentences: [
      "apache license",
      "version 2.0, january 2004",
      "terms and conditions for use, reproduction, and distribution",
      "1. definitions.",
      "2. grant of copyright license.",
      "3. grant of patent license.",
      "4. redistribution.",
      "5. submission of contributions.",
      "6. trademarks.",
      "7. disclaimer of warranty.",
      "8. limitation of liability.",
      "9. accepting warranty or additional liability.",
      "end of terms and conditions",
    ],
  },
  {
    spdx: "MIT",
    sentences: [
      "permission is hereby granted, free of charge, to any person obtaining a copy",
      "the above copyright notice and this permission notice shall be included in all copies or substantial portions of the software.",
      'the software is provided "as is", without warranty of any kind',
    ],
  },
  { spdx: "BSD-3-Clause", sentences: ["redistribution and use in source and binary forms, with or without modification, are permitted provided that the following conditions are met"] },
  { spdx: "AGPL-3.0", sentences: ["gnu affero general public license", "version 3, 19 november 2007"] },
  { spdx: "LGPL-3.0", sentences: ["gnu lesser general public license", "version 3, 29 june 2007"] },
  { spdx: "GPL-3.0", sentences: ["gnu general public license", "version 3, 29 june 2007"] },
];

function normalise(text: string): string {
  return text.toLowerCase().replace(/[“”]/g, '"').replace(/\s+/g, " ");
}

/** The SPDX id of the accepted license `text` holds, or null. */
export function acceptedLicense(text: string): string | null {
  const t = normalise(text);
  return KNOWN.find((l) => l.sentences.every((s) => t.includes(s)))?.spdx ?? null;
}

/** Whether the text still holds the license template's placeholders (the validator warns). */
export function hasTemplatePlaceholders(text: string): boolean {
  return text.includes("{name of copyright owner}") || text.includes("{yyyy}");
}
