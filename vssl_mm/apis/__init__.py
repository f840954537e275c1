from .inference import (CheckpointMismatchError, build_inference_pipeline, extract_features,
                        init_model)

__all__ = ['init_model', 'extract_features', 'build_inference_pipeline', 'CheckpointMismatchError']
