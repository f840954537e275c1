"""vssl_mm registries: children of mmaction2's, scope ``vssl_mm``.

A config with ``default_scope = 'vssl_mm'`` finds vssl_mm types first and falls back to
mmaction2 (and mmengine) types unprefixed. An mmaction2-scoped config reaches vssl_mm types
with ``custom_imports=dict(imports=['vssl_mm'])`` and the ``vssl_mm.`` prefix.
"""
from mmaction.registry import DATA_SAMPLERS as MMACTION_DATA_SAMPLERS
from mmaction.registry import DATASETS as MMACTION_DATASETS
from mmaction.registry import EVALUATOR as MMACTION_EVALUATOR
from mmaction.registry import FUNCTION as MMACTION_FUNCTION
from mmaction.registry import HOOKS as MMACTION_HOOKS
from mmaction.registry import LOG_PROCESSORS as MMACTION_LOG_PROCESSORS
from mmaction.registry import LOOPS as MMACTION_LOOPS
from mmaction.registry import METRICS as MMACTION_METRICS
from mmaction.registry import MODEL_WRAPPERS as MMACTION_MODEL_WRAPPERS
from mmaction.registry import MODELS as MMACTION_MODELS
from mmaction.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMACTION_OPTIM_WRAPPER_CONSTRUCTORS
from mmaction.registry import OPTIM_WRAPPERS as MMACTION_OPTIM_WRAPPERS
from mmaction.registry import OPTIMIZERS as MMACTION_OPTIMIZERS
from mmaction.registry import PARAM_SCHEDULERS as MMACTION_PARAM_SCHEDULERS
from mmaction.registry import RUNNERS as MMACTION_RUNNERS
from mmaction.registry import TASK_UTILS as MMACTION_TASK_UTILS
from mmaction.registry import TRANSFORMS as MMACTION_TRANSFORMS
from mmaction.registry import VISBACKENDS as MMACTION_VISBACKENDS
from mmaction.registry import VISUALIZERS as MMACTION_VISUALIZERS
from mmaction.registry import WEIGHT_INITIALIZERS as MMACTION_WEIGHT_INITIALIZERS
from mmengine.registry import Registry

__all__ = [
    'RUNNERS', 'LOOPS', 'HOOKS', 'DATASETS', 'DATA_SAMPLERS', 'TRANSFORMS', 'MODELS',
    'MODEL_WRAPPERS', 'WEIGHT_INITIALIZERS', 'OPTIMIZERS', 'OPTIM_WRAPPERS',
    'OPTIM_WRAPPER_CONSTRUCTORS', 'PARAM_SCHEDULERS', 'METRICS', 'EVALUATOR', 'TASK_UTILS',
    'VISUALIZERS', 'VISBACKENDS', 'LOG_PROCESSORS', 'FUNCTION'
]


def _child(name: str, parent: Registry, locations: list) -> Registry:
    return Registry(name, parent=parent, scope='vssl_mm', locations=locations)


RUNNERS = _child('runner', MMACTION_RUNNERS, ['vssl_mm.engine'])
LOOPS = _child('loop', MMACTION_LOOPS, ['vssl_mm.engine'])
HOOKS = _child('hook', MMACTION_HOOKS, ['vssl_mm.engine.hooks'])
DATASETS = _child('dataset', MMACTION_DATASETS, ['vssl_mm.datasets'])
DATA_SAMPLERS = _child('data sampler', MMACTION_DATA_SAMPLERS, ['vssl_mm.datasets'])
TRANSFORMS = _child('transform', MMACTION_TRANSFORMS, ['vssl_mm.datasets.transforms'])
MODELS = _child('model', MMACTION_MODELS, ['vssl_mm.models'])
MODEL_WRAPPERS = _child('model_wrapper', MMACTION_MODEL_WRAPPERS, ['vssl_mm.models'])
WEIGHT_INITIALIZERS = _child('weight initializer', MMACTION_WEIGHT_INITIALIZERS, ['vssl_mm.models'])
OPTIMIZERS = _child('optimizer', MMACTION_OPTIMIZERS, ['vssl_mm.engine'])
OPTIM_WRAPPERS = _child('optim_wrapper', MMACTION_OPTIM_WRAPPERS, ['vssl_mm.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = _child('optimizer wrapper constructor',
                                    MMACTION_OPTIM_WRAPPER_CONSTRUCTORS, ['vssl_mm.engine'])
PARAM_SCHEDULERS = _child('parameter scheduler', MMACTION_PARAM_SCHEDULERS, ['vssl_mm.engine'])
METRICS = _child('metric', MMACTION_METRICS, ['vssl_mm.evaluation'])
EVALUATOR = _child('evaluator', MMACTION_EVALUATOR, ['vssl_mm.evaluation'])
TASK_UTILS = _child('task util', MMACTION_TASK_UTILS, ['vssl_mm.models'])
VISUALIZERS = _child('visualizer', MMACTION_VISUALIZERS, ['vssl_mm.engine'])
VISBACKENDS = _child('vis_backend', MMACTION_VISBACKENDS, ['vssl_mm.engine'])
LOG_PROCESSORS = _child('log_processor', MMACTION_LOG_PROCESSORS, ['vssl_mm.engine'])
FUNCTION = _child('function', MMACTION_FUNCTION, ['vssl_mm.utils'])
