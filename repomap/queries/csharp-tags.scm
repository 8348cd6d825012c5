(class_declaration name: (identifier) @name.definition.class) @definition.class
(record_declaration name: (identifier) @name.definition.class) @definition.class
(struct_declaration name: (identifier) @name.definition.class) @definition.class
(enum_declaration name: (identifier) @name.definition.enum) @definition.enum
(interface_declaration name: (identifier) @name.definition.interface) @definition.interface
(namespace_declaration name: (identifier) @name.definition.module) @definition.module
(method_declaration name: (identifier) @name.definition.method) @definition.method
(constructor_declaration name: (identifier) @name.definition.method) @definition.method
(property_declaration name: (identifier) @name.definition.property) @definition.property

(comment) @doc

(invocation_expression function: (identifier) @name.reference.call)
(invocation_expression function: (member_access_expression name: (identifier) @name.reference.call))
(object_creation_expression type: (identifier) @name.reference.class)
(base_list (identifier) @name.reference.class)
(variable_declaration type: (identifier) @name.reference.type)
(parameter type: (identifier) @name.reference.type)
