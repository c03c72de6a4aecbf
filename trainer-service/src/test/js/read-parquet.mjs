// Reads a parquet file with hyparquet (an independent reader: no parquet-java, no Arrow) and prints one JSON
// document: the row count from the footer, each top-level column's schema, and every row as nested JSON.
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema, toJson } from 'hyparquet'

const file = await asyncBufferFromFile(process.argv[2])
const metadata = await parquetMetadataAsync(file)
const describe = node => ({
  name: node.element.name,
  repetition: node.element.repetition_type,
  type: node.element.type ?? null,
  logical: node.element.logical_type?.type ?? node.element.converted_type ?? null,
  children: node.children.map(describe),
})
const rows = await parquetReadObjects({ file, metadata })
process.stdout.write(JSON.stringify({
  num_rows: Number(metadata.num_rows),
  columns: parquetSchema(metadata).children.map(describe),
  rows: toJson(rows),
}))
