/**
 * The `format`s of the Kubernetes schemas beyond what ajv-formats knows
 * (OpenAPI's `int32`, `int64`, `double`, `byte`, `binary`, and Kubernetes'
 * `cidr`, plus `idn-hostname`). `date-time`, `ipv4` and `ipv6` come from
 * ajv-formats' full set. Precompiled validators take their formats from a
 * module that scripts/gen-validators.mjs writes from
 * {@link k8sFormatsModuleSource}, so both paths check the same thing.
 */

/** A signed 32-bit integer (OpenAPI `int32`). */
function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= -2147483648 && n <= 2147483647;
}

/** Base64 (OpenAPI `byte`), as the API server decodes it. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The formats checked here. `true` accepts any value: `int64` and `double`
 * are ranges a JavaScript number cannot break once the schema's `type` holds;
 * `cidr`, `binary` and `idn-hostname` are left to the API server, as
 * kubeconform does.
 */
export const K8S_FORMATS = {
  int32: { type: 'number', validate: isInt32 },
  int64: true,
  double: true,
  byte: BASE64,
  binary: true,
  cidr: true,
  'idn-hostname': true,
} as const;

/**
 * Source of a CommonJS module exporting ajv-formats' full formats plus
 * {@link K8S_FORMATS}, for the precompiled validators (`code.formats`),
 * written from the same values.
 */
export function k8sFormatsModuleSource(): string {
  const functions: string[] = [];
  const entries = Object.entries(K8S_FORMATS).map(([name, f]) => {
    let code: string;
    if (f === true) code = 'true';
    else if (f instanceof RegExp) code = f.toString();
    else {
      functions.push(f.validate.toString());
      code = `{ type: ${JSON.stringify(f.type)}, validate: ${f.validate.name} }`;
    }
    return `  ${JSON.stringify(name)}: ${code},`;
  });
  return [`const { fullFormats } = require('ajv-formats/dist/formats');`, ...functions, 'module.exports = {', '  ...fullFormats,', ...entries, '};', ''].join('\n');
}
