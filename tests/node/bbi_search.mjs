// Search a bigBed's extra indexes with JBrowse's @gmod/bbi (searchExtraIndex), as JSON.
//   node bbi_search.mjs file.bb names.json
// names.json: ["name1", ...]; prints [[[start, end, rest, field], ...], ...] per name.
import { readFileSync } from 'node:fs'
import { BigBed } from '@gmod/bbi'

const [file, request] = process.argv.slice(2)
const names = JSON.parse(readFileSync(request, 'utf8') || '[]')
const bb = new BigBed({ path: file })
const out = []
for (const name of names) {
  const feats = await bb.searchExtraIndex(name)
  out.push(feats.map(f => [f.start, f.end, f.rest ?? '', f.field ?? null]))
}
process.stdout.write(JSON.stringify(out))
