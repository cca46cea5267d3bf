"""Validates an NWB file against the specifications cached in it, with hdmf.

Usage: validate_nwb.py FILE... Prints one JSON object per file, one per line: the cached
namespaces (name -> version), the number of typed objects validated, and the validation errors
(empty when the file is valid).

hdmf loads the namespaces from the file's /specifications (found through the root's .specloc
reference) and its validator checks every group, dataset and attribute the schema names: presence,
quantity, dtype and shape. pynwb is not needed: the classes below tell hdmf that NWB calls its
type keys neurodata_type_def / neurodata_type_inc / neurodata_type (hdmf-common says data_type_*).

hdmf 3.5.1 (Debian bookworm) validates a child such as a TimeSeries in /acquisition only against
the type its parent's spec names (NWBDataInterface); later hdmf validates it against its own type.
So every typed object is also validated against its own type here, as later hdmf does.
"""
import json
import sys
import warnings
from copy import copy

from hdmf.backends.hdf5 import HDF5IO
from hdmf.build import BuildManager, GroupBuilder, TypeMap
from hdmf.spec import DatasetSpec, GroupSpec, NamespaceCatalog, SpecNamespace
from hdmf.validate import ValidatorMap


class NwbKeys:
    @classmethod
    def type_key(cls):
        return 'neurodata_type'

    @classmethod
    def inc_key(cls):
        return 'neurodata_type_inc'

    @classmethod
    def def_key(cls):
        return 'neurodata_type_def'

    @classmethod
    def build_const_args(cls, spec_dict):
        spec_dict = copy(spec_dict)
        for nwb_key, hdmf_key in (('neurodata_type_inc', 'data_type_inc'),
                                  ('neurodata_type_def', 'data_type_def')):
            if nwb_key in spec_dict:
                spec_dict[hdmf_key] = spec_dict.pop(nwb_key)
        return super().build_const_args(spec_dict)


class NwbDatasetSpec(NwbKeys, DatasetSpec):
    pass


class NwbGroupSpec(NwbKeys, GroupSpec):
    @classmethod
    def dataset_spec_cls(cls):
        return NwbDatasetSpec


class NwbNamespace(SpecNamespace):
    @classmethod
    def types_key(cls):
        return 'neurodata_types'


def typed_builders(builder):
    if builder.attributes.get('neurodata_type') is not None:
        yield builder
    if isinstance(builder, GroupBuilder):
        for child in list(builder.groups.values()) + list(builder.datasets.values()):
            yield from typed_builders(child)


def validate(path):
    catalog = NamespaceCatalog(NwbGroupSpec, NwbDatasetSpec, NwbNamespace)
    with warnings.catch_warnings():
        # "No cached namespaces found" is a warning in hdmf; here it is a failure.
        warnings.simplefilter('error')
        cached = HDF5IO.get_namespaces(path=path)
        HDF5IO.load_namespaces(catalog, path)
    validator = ValidatorMap(catalog.get_namespace('core'))
    errors = []
    typed = 0
    with HDF5IO(path, mode='r', manager=BuildManager(TypeMap(catalog))) as io:
        root = io.read_builder()
        errors += [str(e) for e in validator.validate(root)]
        for b in typed_builders(root):
            typed += 1
            try:
                errors += [str(e) for e in validator.validate(b)]
            except ValueError as e:  # a type the cached namespace does not define
                errors.append('%s: %s' % (b.name, e))
    return {'cached': cached, 'typed_objects': typed, 'errors': sorted(set(errors))}


for path in sys.argv[1:]:
    print(json.dumps(validate(path)))
