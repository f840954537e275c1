"""Registration of all vssl_mm (and mmaction2) modules."""
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every vssl_mm and mmaction2 module so they register.

    Args:
        init_default_scope: set the global default scope to ``vssl_mm`` (so configs
            without ``default_scope`` build vssl_mm types first, mmaction2's next).
    """
    from . import compat
    compat.apply_all()
    from mmaction.utils import register_all_modules as mmaction_register
    mmaction_register(init_default_scope=False)
    import vssl_mm.datasets  # noqa: F401,F403
    import vssl_mm.engine  # noqa: F401,F403
    import vssl_mm.evaluation  # noqa: F401,F403
    import vssl_mm.models  # noqa: F401,F403

    if init_default_scope:
        never_created = DefaultScope.get_current_instance() is None \
            or not DefaultScope.check_instance_created('vssl_mm')
        if never_created:
            DefaultScope.get_instance('vssl_mm', scope_name='vssl_mm')
            return
        current_scope = DefaultScope.get_current_instance()
        if current_scope.scope_name != 'vssl_mm':
            warnings.warn('The current default scope '
                          f'"{current_scope.scope_name}" is not "vssl_mm", '
                          '`register_all_modules` will force the current '
                          'default scope to be "vssl_mm".')
            new_instance_name = f'vssl_mm-{datetime.datetime.now()}'
            DefaultScope.get_instance(new_instance_name, scope_name='vssl_mm')
