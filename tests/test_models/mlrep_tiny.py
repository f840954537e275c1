"""A CPU-sized MLRep (R3D-18 at 8 base channels, three levels) shared by the mlrep tests."""
from vssl_mm.models.algorithms.mlrep import MLRep


def tiny_mlrep(**kw) -> MLRep:
    """MLRep on a narrow ResNet3dSSL; ``kw`` overrides any argument."""
    cfg = dict(
        backbone=dict(
            type='ResNet3dSSL',
            depth=18,
            base_channels=8,
            conv1_kernel=(3, 7, 7),
            conv1_stride_t=1,
            pool1_stride_t=1,
            spatial_strides=(1, 2, 2, 2),
            temporal_strides=(1, 2, 2, 1),
            with_pool2=False,
            out_indices=(1, 2, 3)),
        level_channels=(16, 32, 64),
        proj_channels=8,
        num_prototypes=6,
        queue_length=8,
        num_tokens=(4, 2, 2),
        me_reduction=4)
    cfg.update(kw)
    return MLRep(**cfg)
