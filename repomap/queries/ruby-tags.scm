(class name: (constant) @name.definition.class) @definition.class
(class name: (scope_resolution name: (constant) @name.definition.class)) @definition.class
(module name: (constant) @name.definition.module) @definition.module
(method name: (_) @name.definition.method) @definition.method
(singleton_method name: (_) @name.definition.method) @definition.method

(comment) @doc

(call method: (identifier) @name.reference.call)
(superclass (constant) @name.reference.class)
(constant) @name.reference.constant
