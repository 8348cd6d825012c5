; Definitions: the whole node is @definition.KIND, its name @name.definition.KIND.
(class_definition name: (identifier) @name.definition.class) @definition.class

(function_definition name: (identifier) @name.definition.function) @definition.function

(module (assignment left: (identifier) @name.definition.constant) @definition.constant)

(class_definition
  body: (block (assignment left: (identifier) @name.definition.field) @definition.field))

; Docstrings, other string literals (error messages are what issues quote) and comments
; feed lexical search.
(string_content) @doc
(comment) @doc

; References: calls, attribute uses, imports, base classes and annotations.
(call function: (identifier) @name.reference.call)
(attribute attribute: (identifier) @name.reference.attribute)
(import_from_statement name: (dotted_name (identifier) @name.reference.import))
(import_from_statement name: (aliased_import name: (dotted_name (identifier) @name.reference.import)))
(import_from_statement module_name: (dotted_name (identifier) @name.reference.module))
(import_from_statement module_name: (relative_import (dotted_name (identifier) @name.reference.module)))
(import_statement name: (dotted_name (identifier) @name.reference.module))
(import_statement name: (aliased_import name: (dotted_name (identifier) @name.reference.module)))
(argument_list (identifier) @name.reference.name)
(type (identifier) @name.reference.type)
(decorator (identifier) @name.reference.decorator)
(raise_statement (identifier) @name.reference.name)
(except_clause (identifier) @name.reference.name)
