(class_declaration name: (name) @name.definition.class) @definition.class
(interface_declaration name: (name) @name.definition.interface) @definition.interface
(trait_declaration name: (name) @name.definition.interface) @definition.interface
(enum_declaration name: (name) @name.definition.enum) @definition.enum
(function_definition name: (name) @name.definition.function) @definition.function
(method_declaration name: (name) @name.definition.method) @definition.method

(comment) @doc

(function_call_expression function: (name) @name.reference.call)
(member_call_expression name: (name) @name.reference.call)
(scoped_call_expression name: (name) @name.reference.call)
(object_creation_expression (name) @name.reference.class)
(base_clause (name) @name.reference.class)
(class_interface_clause (name) @name.reference.interface)
