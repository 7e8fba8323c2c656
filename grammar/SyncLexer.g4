// Lexer of the Syncline rule language. Comments go to the HIDDEN channel so that they survive
// in the token stream (a formatter keeps them); white space is dropped.
lexer grammar SyncLexer;

// ---- keywords (most are "soft": the parser also accepts them as names, see `name`) ----
USE: 'use';
AS: 'as';
SYNC: 'sync';
FN: 'fn';
TABLE: 'table';
CONST: 'const';
TEST: 'test';
MATCH: 'match';
FROM: 'from';
TO: 'to';
ON: 'on';
DELETE: 'delete';
CREATE: 'create';
UPDATE: 'update';
ONLY: 'only';
NOTHING: 'nothing';
INCLUDE: 'include';
IF: 'if';
THEN: 'then';
ELSE: 'else';
PICKLISTS: 'picklists';
LIFECYCLE: 'lifecycle';
SPREAD: 'spread';
MAP: 'map';
MAPPINGS: 'mappings';
PREFER: 'prefer';
UNLESS: 'unless';
BLANK: 'blank';
ALWAYS: 'always';
TWO_WAY: 'two-way';
DONT: 'don\'t' | 'dont';
HUBSPOT: 'hubspot';
SALESFORCE: 'salesforce';
STAGES: 'stages';
PIPELINE: 'pipeline';
RECORD: 'record';
TYPE: 'type';
ASSOCIATE: 'associate';
VIA: 'via';
ACTIVITIES: 'activities';
TYPES: 'types';
AUTO: 'auto';
CONFLICT: 'conflict';
WINS: 'wins';
WORKFLOW: 'workflow';
WHEN: 'when';
ENTERS: 'enters';
SEGMENT: 'segment';
CHANGES: 'changes';
ADD: 'add';
CAMPAIGN: 'campaign';
STATUS: 'status';
SET: 'set';
OWNER: 'owner';
GIVEN: 'given';
AFTER: 'after';
EXPECT: 'expect';
AND: 'and';
OR: 'or';
NOT: 'not';
IS: 'is';
IN: 'in';
TRUE: 'true';
FALSE: 'false';
SKIP_: 'skip';
ERROR: 'error';
OTHERWISE: 'otherwise';

// ---- punctuation; longest first where prefixes overlap ----
BIARROW: '<->';
ARROW: '->';
LARROW: '<-';
NOSYNC: '--';
FATARROW: '=>';
COALESCE: '??';
EQ: '==';
NEQ: '!=';
LE: '<=';
GE: '>=';
LT: '<';
GT: '>';
ASSIGN: '=';
PLUS: '+';
MINUS: '-';
STAR: '*';
SLASH: '/';
PERCENT: '%';
LPAREN: '(';
RPAREN: ')';
LBRACE: '{';
RBRACE: '}';
LBRACK: '[';
RBRACK: ']';
COMMA: ',';
COLON: ':';
DOT: '.';
PIPE: '|';
QUESTION: '?';
UNDERSCORE: '_';

// ---- literals ----
DATETIME: '@' DIGIT DIGIT DIGIT DIGIT '-' DIGIT DIGIT '-' DIGIT DIGIT 'T' DIGIT DIGIT ':' DIGIT DIGIT
          (':' DIGIT DIGIT ('.' DIGIT+)?)? ('Z' | [+-] DIGIT DIGIT ':'? DIGIT DIGIT);
DATE: '@' DIGIT DIGIT DIGIT DIGIT '-' DIGIT DIGIT '-' DIGIT DIGIT;
NUMBER: DIGIT+ '.' DIGIT+ ([eE] [+-]? DIGIT+)? | DIGIT+ [eE] [+-]? DIGIT+;
INTEGER: DIGIT+;
// A string may hold `${expr}` interpolations, which may hold strings of their own; the AST
// builder parses their contents.
STRING: '"' (ESCAPE | '${' (~[}"\r\n] | INNER_STRING)* '}' | ~["\\\r\n])* '"';
UNTERMINATED_STRING: '"' (ESCAPE | ~["\\\r\n])* ;
IDENT: [a-zA-Z_] [a-zA-Z0-9_]*;

LINE_COMMENT: '//' ~[\r\n]* -> channel(HIDDEN);
BLOCK_COMMENT: '/*' .*? '*/' -> channel(HIDDEN);
WS: [ \t\r\n\u000C]+ -> skip;
// Anything else is one bad character; the parser turns it into a diagnostic.
BAD_CHAR: .;

fragment DIGIT: [0-9];
fragment INNER_STRING: '"' (ESCAPE | ~["\\\r\n])* '"';
fragment ESCAPE: '\\' (["\\/bfnrt$] | 'u' HEX HEX HEX HEX);
fragment HEX: [0-9a-fA-F];
