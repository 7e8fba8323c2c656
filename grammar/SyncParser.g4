// Parser of the Syncline rule language. Every alternative that the AST builder must tell
// apart carries a label, so that the builder has one typed method per case.
parser grammar SyncParser;

options { tokenVocab = SyncLexer; }

file: useDecl* decl* EOF;

// An entry point for the contents of `${...}` inside strings.
interpolation: expr EOF;

useDecl: USE modulePath (AS name)?;
modulePath: name (DOT name)*;

decl
  : syncDecl        # syncDeclaration
  | fnDecl          # fnDeclaration
  | tableDecl       # tableDeclaration
  | constDecl       # constDeclaration
  | testDecl        # testDeclaration
  | activitiesDecl  # activitiesDeclaration
  | mappingsDecl    # mappingsDeclaration
  | workflowDecl    # workflowDeclaration
  ;

// ---------------------------------------------------------------- user definitions
constDecl: CONST name (COLON typeRef)? ASSIGN expr;
fnDecl: FN name LPAREN (param (COMMA param)* COMMA?)? RPAREN ARROW typeRef ASSIGN expr;
param: name COLON typeRef;
typeRef: name QUESTION?;
tableDecl: TABLE name COLON typeRef ARROW typeRef LBRACE tableRow* RBRACE;
tableRow
  : literal (COMMA literal)* FATARROW expr COMMA?  # keyedRow
  | UNDERSCORE FATARROW expr COMMA?               # defaultRow
  ;

// ---------------------------------------------------------------- sync blocks
syncDecl: SYNC name COLON objectRef direction objectRef (PIPE objectRef)* LBRACE syncItem* RBRACE;
objectRef: side DOT name;
side: HUBSPOT | SALESFORCE;
direction
  : BIARROW  # bothWays
  | ARROW    # toSalesforceOnly
  | LARROW   # toHubSpotOnly
  ;

syncItem
  : MATCH matchKey (COMMA matchKey)*                                  # matchItem
  | FROM SALESFORCE COLON createAction                                # fromSalesforceItem
  | TO SALESFORCE COLON createAction                                  # toSalesforceItem
  | FROM HUBSPOT COLON createAction                                   # fromHubSpotItem
  | TO HUBSPOT COLON createAction                                     # toHubSpotItem
  | ON side DELETE COLON deleteAction                                 # onDeleteItem
  | INCLUDE IF expr                                                   # includeItem
  | PICKLISTS LBRACE picklistSetting* RBRACE                          # picklistsItem
  | LIFECYCLE FROM name name name lifecycleBody                       # lifecycleItem
  | AUTO CREATE name                                                  # autoCreateItem
  | STAGES (PIPELINE STRING (RECORD TYPE STRING)?)? LBRACE stageRow* RBRACE  # stagesItem
  | ASSOCIATE name (VIA name+)?                                       # associateItem
  | CONFLICT COLON side WINS                                          # conflictItem
  | MAP LBRACE mapping* RBRACE                                        # mapItem
  | MAP FROM modulePath                                               # mapFromItem
  ;

matchKey
  : name                   # sameNameKey
  | name BIARROW name      # pairedKey
  ;

createAction
  : CREATE OR UPDATE name?   # createOrUpdate
  | UPDATE ONLY              # updateOnly
  | NOTHING                  # doNothing
  ;

deleteAction
  : DELETE   # deleteRecord
  | NOTHING  # keepRecord
  ;

picklistSetting: side COLON name;

lifecycleBody
  : LBRACE lifecycleRule* RBRACE   # lifecycleRules
  | COLON NOTHING                  # lifecycleOff
  ;
lifecycleRule
  : stageGroup ARROW name          # stageToLifecycle
  | SPREAD TO name name            # spreadRule
  ;
stageGroup
  : name                           # namedStageGroup
  | STRING (COMMA STRING)*         # listedStages
  ;

stageRow: (name | STRING) BIARROW STRING (COMMA STRING)*;

mapping: fieldRef mapArrow fieldRef syncRule? mapTransform*;
fieldRef: name (DOT name)?;
mapArrow
  : BIARROW  # mapBoth
  | ARROW    # mapToSalesforce
  | LARROW   # mapToHubSpot
  | NOSYNC   # mapNever
  ;
syncRule
  : PREFER side UNLESS BLANK  # preferUnlessBlank
  | ALWAYS side               # alwaysSide
  | TWO_WAY                   # twoWay
  | DONT SYNC                 # dontSync
  ;
mapTransform
  : TO side ASSIGN expr   # directedTransform
  | ASSIGN expr           # plainTransform
  ;

// A named set of mappings for one pair of objects, used by sync blocks with `map from NAME`
// (the standard library's default mappings are such sets).
mappingsDecl: MAPPINGS name COLON objectRef direction objectRef (PIPE objectRef)* LBRACE mapping* RBRACE;

// ---------------------------------------------------------------- activities
activitiesDecl: ACTIVITIES (TO | FROM) objectRef LBRACE activityItem* RBRACE;
activityItem
  : TYPES name (COMMA name)*   # activityTypes
  | name ASSIGN expr           # activityField
  ;

// ---------------------------------------------------------------- workflow actions
// Triggers on HubSpot events and the actions they take (R135-R138): Salesforce tasks, campaign
// members and owners, and HubSpot property values (`set hubspot.companies { ... }`).
workflowDecl: WORKFLOW name COLON objectRef LBRACE workflowItem* RBRACE;
workflowItem
  : WHEN ENTERS SEGMENT STRING                          # workflowWhenEnters
  | WHEN ENTERS CAMPAIGN STRING                         # workflowWhenEntersCampaign
  | WHEN name CHANGES                                   # workflowWhenChanges
  | IF expr                                             # workflowIf
  | CREATE objectRef LBRACE workflowTaskItem* RBRACE    # workflowCreate
  | ADD TO CAMPAIGN STRING (STATUS STRING)?             # workflowAddToCampaign
  | SET SALESFORCE OWNER STRING                         # workflowSetOwner
  | SET objectRef LBRACE workflowTaskItem* RBRACE       # workflowSetRecord
  | SYNC TO SALESFORCE                                  # workflowSyncToSalesforce
  ;
workflowTaskItem
  : OWNER STRING        # taskOwner
  | name ASSIGN expr    # taskField
  ;

// ---------------------------------------------------------------- tests
testDecl: TEST STRING LBRACE testStep* RBRACE;
testStep
  : GIVEN objectRef recordLiteral (AS name)?   # givenStep
  | AFTER testAction                           # afterStep
  | EXPECT expr                                # expectStep
  ;
testAction
  : SYNC                         # syncAction
  | side DELETE name?            # deleteAction_
  | name+ STRING?                # namedAction
  ;
recordLiteral: LBRACE (fieldInit (COMMA fieldInit)* COMMA?)? RBRACE;
fieldInit: name COLON expr;

// ---------------------------------------------------------------- expressions
// In ANTLR the first alternative binds tightest: from `-x` and `*` down to `otherwise`.
expr
  : MINUS expr                                      # negExpr
  | expr op = (STAR | SLASH | PERCENT) expr         # mulExpr
  | expr op = (PLUS | MINUS) expr                   # addExpr
  | expr op = (EQ | NEQ | LT | LE | GT | GE) expr   # compareExpr
  | expr NOT? IN expr                               # inExpr
  | expr IS NOT? BLANK                              # isBlankExpr
  | NOT expr                                        # notExpr
  | expr AND expr                                   # andExpr
  | expr OR expr                                    # orExpr
  | <assoc = right> expr COALESCE expr              # coalesceExpr
  | expr OTHERWISE handler                          # otherwiseExpr
  | postfix                                         # postfixExpr
  ;

handler
  : SKIP_           # skipHandler
  | ERROR STRING    # errorHandler
  | expr            # valueHandler
  ;

postfix
  : primary                                        # primaryPostfix
  | postfix DOT name                               # memberPostfix
  | postfix LPAREN (expr (COMMA expr)* COMMA?)? RPAREN  # callPostfix
  ;

primary
  : literal                                        # literalPrimary
  | name                                           # namePrimary
  | LPAREN expr RPAREN                             # parenPrimary
  | LBRACK (expr (COMMA expr)* COMMA?)? RBRACK     # listPrimary
  | IF expr THEN expr ELSE expr                    # ifPrimary
  | MATCH expr LBRACE matchArm* RBRACE             # matchPrimary
  | SKIP_                                          # skipPrimary
  | ERROR STRING                                   # errorPrimary
  ;

matchArm: pattern (PIPE pattern)* FATARROW expr COMMA?;
pattern
  : literal      # literalPattern
  | BLANK        # blankPattern
  | UNDERSCORE   # wildcardPattern
  ;

literal
  : STRING     # stringLiteral
  | INTEGER    # integerLiteral
  | NUMBER     # numberLiteral
  | TRUE       # trueLiteral
  | FALSE      # falseLiteral
  | BLANK      # blankLiteral
  | DATE       # dateLiteral
  | DATETIME   # datetimeLiteral
  ;

// Keywords that may also name fields, objects, functions and settings.
name
  : IDENT | USE | AS | TABLE | TEST | FROM | TO | ON | DELETE | CREATE | UPDATE | ONLY | NOTHING
  | INCLUDE | PICKLISTS | LIFECYCLE | SPREAD | MAP | PREFER | UNLESS | ALWAYS | HUBSPOT
  | SALESFORCE | STAGES | PIPELINE | ASSOCIATE | VIA | ACTIVITIES | TYPES | AUTO | CONFLICT | WINS
  | GIVEN | AFTER | EXPECT | SYNC | MAPPINGS | WORKFLOW | WHEN | ENTERS | SEGMENT | CHANGES | ADD
  | CAMPAIGN | STATUS | SET | OWNER | RECORD | TYPE
  ;
