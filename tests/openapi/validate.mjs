// Validates an OpenAPI description with @apidevtools/swagger-parser (the
// OpenAPI 3.1 schema and $ref resolution), offline. Usage: node validate.mjs FILE
import SwaggerParser from "@apidevtools/swagger-parser";

const file = process.argv[2];
try {
  const api = await SwaggerParser.validate(file);
  console.log(`${file}: valid OpenAPI ${api.openapi} (${Object.keys(api.paths).length} paths)`);
} catch (err) {
  console.error(`${file}: ${err.message}`);
  process.exit(1);
}
