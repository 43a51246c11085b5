// Dump a .2bit through JBrowse's reader (@gmod/twobit) as JSON, for trackpack's interop tests.
//   node twobit_dump.mjs file.2bit [name:start-end ...]
// Prints {"sizes": {name: length}, "sequences": {name: bases}, "regions": [bases, ...]}.
import { TwoBitFile } from '@gmod/twobit'

const [path, ...regions] = process.argv.slice(2)
const file = new TwoBitFile({ path })
const sizes = await file.getSequenceSizes()
const sequences = {}
for (const name of await file.getSequenceNames()) {
  sequences[name] = (await file.getSequence(name)) ?? null
}
const fetched = []
for (const spec of regions) {
  const colon = spec.lastIndexOf(':')
  const [start, end] = spec.slice(colon + 1).split('-').map(Number)
  fetched.push((await file.getSequence(spec.slice(0, colon), start, end)) ?? null)
}
process.stdout.write(JSON.stringify({ sizes, sequences, regions: fetched }))
