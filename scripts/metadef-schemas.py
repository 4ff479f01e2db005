#!/usr/bin/env python3
# Regenerates src/main/resources/schemas/metadefs/*.json from Glance 25.1.0 (Zed) source: the dict literals of
# glance/api/v2/metadef_*.py, assembled as glance/schema.py (Schema.raw, CollectionSchema.raw, DictCollectionSchema.raw)
# does. Glance is Apache-2.0 licensed. Usage: run inside a glance git checkout with the 25.1.0 tag:
#   (cd /path/to/glance && python3 /path/to/glint/scripts/metadef-schemas.py /path/to/glint/src/main/resources/schemas/metadefs)
import ast, json, subprocess, copy, sys
def funcs(mod, names, extra_globals):
    src = subprocess.check_output(['git','show','25.1.0:glance/api/v2/%s.py'%mod]).decode()
    tree = ast.parse(src)
    g = {'_': lambda s: s}
    g.update(extra_globals)
    body = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in names]
    exec(compile(ast.Module(body=body, type_ignores=[]), mod, 'exec'), g)
    return g
ns = funcs('metadef_namespaces', ['_get_base_definitions','get_schema_definitions','_get_base_properties'], {})
class NsMod: pass
nsmod = NsMod(); nsmod.get_schema_definitions = ns['get_schema_definitions']
props = funcs('metadef_properties', ['_get_base_definitions','_get_base_properties'], {'namespaces': nsmod})
objs = funcs('metadef_objects', ['_get_base_definitions','_get_base_properties'], {'namespaces': nsmod})
rts = funcs('metadef_resource_types', ['_get_base_properties'], {})
tags = funcs('metadef_tags', ['_get_base_definitions','_get_base_properties','_get_base_properties_for_list'], {})

def schema(name, properties, required=None, definitions=None):
    return {'name': name, 'properties': properties, 'required': required, 'definitions': definitions}
def raw(s):
    r = {'name': s['name'], 'properties': s['properties'], 'additionalProperties': False}
    if s['definitions']: r['definitions'] = s['definitions']
    if s['required']: r['required'] = s['required']
    return r
LINKS = [{'rel':'first','href':'{first}'},{'rel':'next','href':'{next}'},{'rel':'describedby','href':'{schema}'}]
def collection(name, item, kind='array'):
    item = dict(item); d = item['definitions']; item['definitions'] = None
    inner = {'type':'array','items': raw(item)} if kind=='array' else {'type':'object','additionalProperties': raw(item)}
    r = {'name': name, 'properties': {name: inner, 'first':{'type':'string'}, 'next':{'type':'string'}, 'schema':{'type':'string'}}, 'links': LINKS}
    if d: r['definitions'] = d
    return r
out = {}
nss = schema('namespace', ns['_get_base_properties'](), ['namespace'], ns['_get_base_definitions']())
out['namespace'] = raw(nss); out['namespaces'] = collection('namespaces', nss)
rt = schema('resource_type_association', rts['_get_base_properties'](), ['name'])
out['resource_type'] = raw(rt); out['resource_types'] = collection('resource_type_associations', rt)
ps = schema('property', props['_get_base_properties'](), ['title','type','name'], props['_get_base_definitions']())
out['property'] = raw(ps)
pc = dict(ps); pc['required'] = ['title','type']
out['properties'] = collection('properties', pc, 'object')
os_ = schema('object', objs['_get_base_properties'](), ['name'], objs['_get_base_definitions']())
out['object'] = raw(os_); out['objects'] = collection('objects', os_)
ts = schema('tag', tags['_get_base_properties'](), ['name'], tags['_get_base_definitions']())
out['tag'] = raw(ts); out['tags'] = collection('tags', ts)
out['tags-create'] = raw(schema('tags', tags['_get_base_properties_for_list'](), None, None))
out['property-in-object'] = raw(schema('property', props['_get_base_properties'](), ['title','type'], props['_get_base_definitions']()))
for k, v in out.items():
    json.dump(v, open(sys.argv[1] + '/' + k + '.json', 'w'), indent=2)
